"""The OAI-PMH endpoint at /oai/ for harvesters: GET or POST, all six verbs (repository/exchange/oai.py)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from repository.exchange.oai import Server


@csrf_exempt  # harvesters POST forms without a session; the endpoint changes nothing
@require_http_methods(["GET", "HEAD", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    arguments = request.POST if request.method == "POST" else request.GET
    body = Server().respond({name: arguments.getlist(name) for name in arguments})
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
