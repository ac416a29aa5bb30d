//! Encodings, the model → encoding map, and the counting engine behind each encoding.
//!
//! The engine is the `bpe` crate's linear-time byte-pair encoder with the pre-tokenizer of
//! `bpe-openai`: it yields exactly tiktoken's tokens (the tests compare it with tiktoken-rs on the
//! reference cases and on adversarial input) and was the fastest exact engine measured here
//! (docs/benchmarks.md). Being built on `regex-automata` instead of a backtracking regex, it also
//! survives inputs that make tiktoken overflow its stack (a million spaces and then a letter).
//! Counting cuts ASCII text into pieces with its own scanner (`split.rs`), which gives the
//! regex's pieces at a fraction of the cost, and leaves the rest to the regex.
//!
//! `bpe-openai` ships cl100k_base and o200k_base. p50k_base and r50k_base are built on first use
//! from tiktoken-rs's vocabularies, with the same pre-tokenizer rewritten for their pattern.
//! o200k_harmony differs from o200k_base only in special tokens, which plugctl counts as plain
//! text, so it shares o200k_base's engine.

use std::collections::HashSet;
use std::sync::LazyLock;

use bpe_openai::Tokenizer;
use bpe_openai::byte_pair_encoding::BytePairEncoding;

use super::TokensError;
use super::split::Pattern;

/// A tokenizer encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    O200kBase,
    O200kHarmony,
    Cl100kBase,
    P50kBase,
    R50kBase,
}

/// Model names shown when `--model` is not recognised. Dated and fine-tuned variants
/// (`gpt-4o-2024-08-06`, `ft:gpt-4o-mini:...`) are recognised by prefix.
pub const KNOWN_MODELS: &[&str] = &[
    "gpt-5",
    "gpt-5-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4o",
    "gpt-4o-mini",
    "o1",
    "o3",
    "o4-mini",
    "gpt-4",
    "gpt-4-turbo",
    "gpt-3.5-turbo",
    "gpt-oss-20b",
    "text-embedding-3-small",
    "text-davinci-003",
    "davinci",
];

impl Encoding {
    pub const ALL: [Encoding; 5] = [
        Encoding::O200kBase,
        Encoding::O200kHarmony,
        Encoding::Cl100kBase,
        Encoding::P50kBase,
        Encoding::R50kBase,
    ];

    /// The name tiktoken uses.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::O200kHarmony => "o200k_harmony",
            Encoding::Cl100kBase => "cl100k_base",
            Encoding::P50kBase => "p50k_base",
            Encoding::R50kBase => "r50k_base",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|e| e.name()).collect()
    }

    pub fn from_name(name: &str) -> Result<Self, TokensError> {
        Self::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| TokensError::UnknownEncoding {
                name: name.to_string(),
            })
    }

    /// The encoding of an OpenAI model, as tiktoken maps it (exact names, dated variants by
    /// prefix, `ft:` fine-tunes by their base model).
    pub fn for_model(model: &str) -> Result<Self, TokensError> {
        use tiktoken_rs::tokenizer::{Tokenizer as T, get_tokenizer};
        match get_tokenizer(model) {
            Some(T::O200kBase) => Ok(Encoding::O200kBase),
            Some(T::O200kHarmony) => Ok(Encoding::O200kHarmony),
            Some(T::Cl100kBase) => Ok(Encoding::Cl100kBase),
            Some(T::P50kBase | T::P50kEdit) => Ok(Encoding::P50kBase),
            Some(T::R50kBase | T::Gpt2) => Ok(Encoding::R50kBase),
            None => Err(TokensError::UnknownModel {
                name: model.to_string(),
            }),
        }
    }

    /// The counting engine; built on first use and shared for the life of the process.
    pub fn engine(self) -> &'static Tokenizer {
        match self {
            Encoding::O200kBase | Encoding::O200kHarmony => bpe_openai::o200k_base(),
            Encoding::Cl100kBase => bpe_openai::cl100k_base(),
            Encoding::P50kBase => &P50K_BASE,
            Encoding::R50kBase => &R50K_BASE,
        }
    }

    /// The pattern the engine splits text with.
    pub(crate) fn pattern(self) -> Pattern {
        match self {
            Encoding::O200kBase | Encoding::O200kHarmony => Pattern::O200k,
            Encoding::Cl100kBase => Pattern::Cl100k,
            Encoding::P50kBase | Encoding::R50kBase => Pattern::Gpt2,
        }
    }

    /// The pieces that are one token whole, for this encoding's engine.
    pub(crate) fn whole_tokens(self) -> &'static WholeTokens {
        match self {
            Encoding::O200kBase | Encoding::O200kHarmony => &O200K_WHOLE,
            Encoding::Cl100kBase => &CL100K_WHOLE,
            Encoding::P50kBase => &P50K_WHOLE,
            Encoding::R50kBase => &R50K_WHOLE,
        }
    }

    /// tiktoken-rs's tokenizer for this encoding: the reference the engine is tested against.
    pub fn reference(self) -> &'static tiktoken_rs::CoreBPE {
        match self {
            Encoding::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Encoding::O200kHarmony => tiktoken_rs::o200k_harmony_singleton(),
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
            Encoding::P50kBase => tiktoken_rs::p50k_base_singleton(),
            Encoding::R50kBase => tiktoken_rs::r50k_base_singleton(),
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The byte strings of a vocabulary's tokens, to count a piece of pre-tokenized text that is one
/// token whole without running the encoder.
///
/// tiktoken looks each piece up before it merges anything and emits the piece's own token when
/// there is one, so such a piece always counts 1. Most pieces of prose are whole tokens (a word
/// with its leading space), and the engine's encoder spends two allocations and a longest-match
/// search on each. The lookup takes `tokens count` from 3.44 to 2.95 CPU seconds on the 64 MB
/// benchmark corpus (docs/benchmarks.md).
pub(crate) struct WholeTokens {
    tokens: HashSet<&'static [u8], foldhash::fast::FixedState>,
    longest: usize,
}

impl WholeTokens {
    fn of(engine: &'static Tokenizer) -> Self {
        let bpe = &engine.bpe;
        let tokens: HashSet<_, _> = (0..bpe.num_tokens() as u32)
            .map(|id| bpe.token_bytes(id))
            .collect();
        let longest = tokens.iter().map(|t| t.len()).max().unwrap_or(0);
        Self { tokens, longest }
    }

    /// Whether `piece` is the byte string of one token.
    pub(crate) fn contains(&self, piece: &[u8]) -> bool {
        piece.len() <= self.longest && self.tokens.contains(piece)
    }
}

static O200K_WHOLE: LazyLock<WholeTokens> =
    LazyLock::new(|| WholeTokens::of(Encoding::O200kBase.engine()));
static CL100K_WHOLE: LazyLock<WholeTokens> =
    LazyLock::new(|| WholeTokens::of(Encoding::Cl100kBase.engine()));
static P50K_WHOLE: LazyLock<WholeTokens> =
    LazyLock::new(|| WholeTokens::of(Encoding::P50kBase.engine()));
static R50K_WHOLE: LazyLock<WholeTokens> =
    LazyLock::new(|| WholeTokens::of(Encoding::R50kBase.engine()));

/// A hash factor for which the 50k vocabularies hash without collisions (the constructor
/// asserts that); the tests build both engines, so a bad factor cannot ship.
const HASH_FACTOR_50K: u64 = 17846336922010275747;

static P50K_BASE: LazyLock<Tokenizer> =
    LazyLock::new(|| gpt2_style(tiktoken_rs::p50k_base_singleton()));
static R50K_BASE: LazyLock<Tokenizer> =
    LazyLock::new(|| gpt2_style(tiktoken_rs::r50k_base_singleton()));

/// Builds an engine for the GPT-2 family (r50k_base, p50k_base) from tiktoken-rs's vocabulary.
///
/// tiktoken's pattern for these is
/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. `regex-automata`
/// has no look-ahead, so `\s+(?!\S)` becomes `\s+$` (end of text) or `\s+\s` with its last
/// character given back, the same rewrite `bpe-openai` uses for cl100k_base.
fn gpt2_style(reference: &tiktoken_rs::CoreBPE) -> Tokenizer {
    let specials = reference.special_tokens();
    // Mergeable tokens in rank order. Special tokens sit inside the rank range (p50k_base's
    // <|endoftext|> is 50256 of 0..50281); leaving them out keeps the order, which is all a
    // token count depends on.
    let tokens = (0..60_000)
        .filter_map(|rank| reference.decode_bytes(&[rank]).ok())
        .filter(|bytes| std::str::from_utf8(bytes).map_or(true, |s| !specials.contains(s)));
    let bpe = BytePairEncoding::from_dictionary(tokens, Some(HASH_FACTOR_50K));
    let pat1 = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+$";
    Tokenizer::new_lookahead(
        bpe,
        &[(pat1, false), (r"\s+\s", true), (r"\s+", false)],
        false,
    )
    .expect("the GPT-2 pattern is a valid regex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Encoding::ALL {
            assert_eq!(Encoding::from_name(e.name()).unwrap(), e);
        }
        assert!(Encoding::from_name("o200k").is_err());
    }

    #[test]
    fn models_map_like_tiktoken() {
        let cases = [
            ("gpt-4o", Encoding::O200kBase),
            ("gpt-4o-2024-08-06", Encoding::O200kBase),
            ("gpt-4.1-mini", Encoding::O200kBase),
            ("gpt-5", Encoding::O200kBase),
            ("o1", Encoding::O200kBase),
            ("o3", Encoding::O200kBase),
            ("gpt-4", Encoding::Cl100kBase),
            ("gpt-4-0613", Encoding::Cl100kBase),
            ("gpt-3.5-turbo", Encoding::Cl100kBase),
            ("text-davinci-003", Encoding::P50kBase),
            ("davinci", Encoding::R50kBase),
            ("gpt-oss-120b", Encoding::O200kHarmony),
            ("ft:gpt-4o-mini:acme::abc", Encoding::O200kBase),
        ];
        for (model, enc) in cases {
            assert_eq!(Encoding::for_model(model).unwrap(), enc, "{model}");
        }
        assert!(matches!(
            Encoding::for_model("llama-3"),
            Err(TokensError::UnknownModel { .. })
        ));
    }

    #[test]
    fn every_known_model_is_known() {
        for model in KNOWN_MODELS {
            assert!(Encoding::for_model(model).is_ok(), "{model}");
        }
    }

    const SAMPLES: [&str; 7] = [
        "Hello, world! It's a fine day.",
        "  leading and trailing   ",
        "line\n\n  indented\r\n\ttab",
        "数字 12345 и кириллица, مرحبا 👋🏽",
        "<|endoftext|> is plain text here",
        "x\n/ y.\n/z",
        "Hello! What is the weather like on the moon today? antidisestablishmentarianism",
    ];

    #[test]
    fn engines_agree_with_tiktoken_on_samples() {
        for e in Encoding::ALL {
            for s in SAMPLES {
                let expected = e.reference().encode_ordinary(s).len();
                assert_eq!(e.engine().count(s), expected, "{e} on {s:?}");
            }
        }
    }

    #[test]
    fn a_piece_is_a_whole_token_exactly_when_tiktoken_gives_it_one_token() {
        for e in Encoding::ALL {
            let (engine, whole, reference) = (e.engine(), e.whole_tokens(), e.reference());
            let mut found = 0;
            for piece in SAMPLES.iter().flat_map(|s| engine.split(s)) {
                let one = reference.encode_ordinary(piece).len() == 1;
                assert_eq!(whole.contains(piece.as_bytes()), one, "{e}: {piece:?}");
                found += usize::from(one);
            }
            assert!(found > 20, "{e}: only {found} whole-token pieces");
        }
    }
}
