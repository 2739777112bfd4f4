"""Small helpers shared by the JSON views: parameter parsing with messages that name the field."""

from django.http import JsonResponse


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.status = parameter, message, status

    def response(self) -> JsonResponse:
        return JsonResponse(
            {"error": {"parameter": self.parameter, "message": self.message}}, status=self.status
        )


def required(request, name: str) -> str:
    value = request.GET.get(name, "").strip()
    if not value:
        raise BadParameter(name, f"Parameter „{name}“ fehlt / parameter '{name}' is required")
    return value


def integer(request, name: str, *, default: int | None = None) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadParameter(
            name, f"„{name}“ muss eine ganze Zahl sein / '{name}' must be an integer"
        ) from None


def lookup(model, name: str, value: str, **filters):
    try:
        return model.objects.get(**filters)
    except model.DoesNotExist:
        raise BadParameter(
            name, f"unbekannter Wert für „{name}“: {value!r} / unknown {name}: {value!r}", 404
        ) from None
