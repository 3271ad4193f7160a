"""Error pages: HTML in the visitor's language for people, JSON with a Chinese message for the API."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    ServiceUnavailable,
)

from gi_registry.extensions import db
from gi_registry.search import SearchUnavailable

MESSAGES = {
    400: _l("请求有误，请检查输入后重试。"),
    403: _l("您没有权限访问此页面。"),
    404: _l("找不到您要访问的页面。"),
    405: _l("不支持该请求方式。"),
    413: _l("上传的内容过大。"),
    500: _l("服务器出了点问题，我们会尽快处理，请稍后再试。"),
}
# Flask-WTF describes a CSRF failure in English ("The CSRF token has expired."); a visitor only
# needs to know what to do.
CSRF_MESSAGE = _l("表单已过期或无效，请刷新页面后重试。")
SEARCH_REBUILDING = _l("搜索索引正在重建，请稍后再试。")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None):
    # gettext here as well: a message passed to abort() is a Chinese msgid like the ones above.
    # The API's locale is always Chinese (i18n.select_locale), so its messages stay as they are.
    message = gettext(str(message or MESSAGES.get(status) or _l("请求无法完成。")))
    if wants_json():
        return jsonify({"error": {"status": status, "message": message}}), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # A message set by our own abort(400, "…") is shown; Werkzeug's English defaults are not.
        custom = error.description if error.description != type(error).description else None
        response = make_response(error_response(status, custom))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # A 405 must say what is allowed (RFC 9110); our own body replaced Werkzeug's headers.
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(error: SearchUnavailable):
        # Expected while an operator rebuilds a lost index: a warning, not a stack trace. The
        # search page shows its own notice; this answers the API and any other caller.
        app.logger.warning("search unavailable: %s", error)
        response = make_response(error_response(ServiceUnavailable.code, SEARCH_REBUILDING))
        response.headers["Retry-After"] = str(app.config.get("SEARCH_RETRY_AFTER", 30))
        response.cache_control.no_store = True
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # A failed transaction must not leak into the next request on this connection.
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return error_response(InternalServerError.code)
