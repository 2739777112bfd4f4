"""Parameter parsing for the JSON views, and its error: messages that name the parameter."""

from django.http import JsonResponse


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter, self.message, self.status = parameter, message, status

    def response(self) -> JsonResponse:
        return JsonResponse(
            {"error": {"parameter": self.parameter, "message": self.message}}, status=self.status
        )


def text(request, name: str) -> str:
    """A query parameter as text, stripped; "" when absent. A NUL byte is never valid."""
    value = request.GET.get(name, "").strip()
    if "\x00" in value:
        raise BadParameter(
            name, f"„{name}“ enthält ungültige Zeichen / '{name}' contains invalid characters"
        )
    return value


def required(request, name: str) -> str:
    value = text(request, name)
    if not value:
        raise BadParameter(name, f"Parameter „{name}“ fehlt / parameter '{name}' is required")
    return value


def integer(
    request,
    name: str,
    *,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        # ASCII digits only: int() would also take "１２" or "1_000".
        if not raw.lstrip("+-").isascii() or not raw.lstrip("+-").isdigit():
            raise ValueError(raw)
        number = int(raw)
    except ValueError:
        raise BadParameter(
            name, f"„{name}“ muss eine ganze Zahl sein / '{name}' must be an integer"
        ) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise BadParameter(
            name,
            f"„{name}“ muss zwischen {minimum} und {maximum} liegen / "
            f"'{name}' must be between {minimum} and {maximum}",
        )
    return number


def lookup(model, name: str, value: str, **filters):
    if "\x00" in value:
        raise BadParameter(
            name, f"„{name}“ enthält ungültige Zeichen / '{name}' contains invalid characters"
        )
    try:
        return model.objects.get(**filters)
    except model.DoesNotExist:
        raise BadParameter(
            name, f"unbekannter Wert für „{name}“: {value!r} / unknown {name}: {value!r}", 404
        ) from None


def page(request, *, default: int = 20, largest: int = 100) -> tuple[int, int]:
    """``limit`` and ``offset`` of a paginated list."""
    limit = integer(request, "limit", default=default, minimum=1, maximum=largest)
    offset = integer(request, "offset", default=0, minimum=0, maximum=10**9)
    return limit, offset


def page_links(request, *, count: int, limit: int, offset: int) -> dict:
    """``count`` with absolute ``next``/``previous`` URLs (None at either end)."""

    def url(start: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(start)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": count,
        "next": url(offset + limit) if offset + limit < count else None,
        "previous": url(max(min(offset, count) - limit, 0)) if offset > 0 else None,
    }
