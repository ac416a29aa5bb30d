"""The classic Flask chat-plugin skeleton the issue compares against: POST /v1/chat answers a
fixed JSON body and stores nothing."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/v1/chat")
def chat():
    return jsonify({"response": "success"})
