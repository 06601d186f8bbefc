from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Pages by an opaque cursor (`next`, `previous`): stable while rows are added, no COUNT over the register."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = "Курсор страницы: берите ссылку из полей next и previous ответа."
    page_size_query_description = "Сколько записей на странице (по умолчанию 100, не больше 500)."
    invalid_cursor_message = "Неверный курсор страницы."
