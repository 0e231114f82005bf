"""A generator that replies from a script: stands in for the model in unit tests of the retry and parsing logic
only (never where a feature is about the model)."""

from ca_assets.models.generation import Completion


class ScriptedGenerator:
    """Stands in for the model in these unit tests of the retry logic only: replies from a script."""

    def __init__(self, replies, supports_n=False, multi_model=(), model_name="scripted"):
        self.replies = list(replies)
        self.requests = []
        self.supports_n = supports_n
        self.multi_model = list(multi_model)
        self.model_name = model_name
        self.asked = []  # which model answered each request

    def for_model(self, name):
        variant = ScriptedGenerator([], model_name=name)
        variant.replies, variant.requests, variant.asked = self.replies, self.requests, self.asked  # one script
        return variant

    def complete(self, request, cache):
        self.requests.append(request)
        self.asked.append(self.model_name)
        texts = [self.replies.pop(0) for _ in range(request.n)]
        return Completion(texts=texts, tokens_in=10, tokens_out=5 * request.n, seconds=0.01)
