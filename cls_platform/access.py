"""Tenancy and roles, enforced in one place.

Every page that shows territory data goes through `TerritoryMixin` (class-based views) or
`territory_view` (function views): the territory comes from the URL, the user's `Access` to it is
looked up once, and every queryset is narrowed with `scoped()`. A territory the user cannot see
answers 404, exactly like one that does not exist; a change the role forbids answers 403.

Each view declares an `access_policy` ("territory", "authenticated" or "public"); the test that
walks every URL pattern refuses a view that declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import empty

from .models import Access, Territory, User
from .rows import Loader

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
POLICY_TERRITORY = "territory"
POLICY_AUTHENTICATED = "authenticated"
POLICY_PUBLIC = "public"

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def accesses_of(user: User) -> QuerySet[Access]:
    """The user's accesses, territory included, in the order the navigation shows them."""
    return Access.objects.for_user(user).select_related("territory").order_by("territory__name")


# The access of a user to a territory, with the territory and whether the user holds an access
# to another one: `Access.objects.select_related("territory").annotate(other_territories=
# Exists(...)).get(user=..., territory__slug=...)` written out (compiling it with the ORM cost
# three times the round trip, on every territory page); `{access}` and `{territory}` are their
# columns (rows.Loader). tests/cls_platform/test_access.py holds it to the ORM's answer.
ACCESS_STATEMENT = """
SELECT {access}, {territory}, EXISTS(
    SELECT 1 FROM cls_platform_access o WHERE o.user_id = a.user_id AND o.id <> a.id)
FROM cls_platform_access a JOIN cls_platform_territory t ON t.id = a.territory_id
WHERE a.user_id = %s AND t.slug = %s"""


def get_access(*, user: User, territory_slug: str) -> Access:
    """The user's access to a territory; 404 whether it does not exist or is not theirs.

    One query, which also answers whether the user holds an access to another territory
    (`other_territories`, read by the navigation: cls_platform/context_processors.py). The user
    is the one given, already loaded (the request's), not read again with the access.
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404
    access_columns, territory_columns = Loader.of(Access, "a"), Loader.of(Territory, "t")
    statement = ACCESS_STATEMENT.format(
        access=access_columns.columns, territory=territory_columns.columns
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [user.pk, territory_slug])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    access = access_columns.load(row, 0)
    access.territory = territory_columns.load(row, access_columns.width)
    access.other_territories = bool(row[-1])
    access.user = _loaded(user)
    return access


def _loaded(user: User) -> User:
    """The user itself rather than the request's lazy wrapper around it (already evaluated)."""
    wrapped = getattr(user, "_wrapped", None)
    return user if wrapped is None or wrapped is empty else wrapped


def scoped(queryset: QuerySet[M], access: Access) -> QuerySet[M]:
    """Narrow a queryset to the access's territory, then to what its role may read.

    A model's queryset may define `for_access(access)` to add role rules (a viewer reads signed
    contracts only); otherwise the territory filter alone applies.
    """
    queryset = queryset.filter(territory=access.territory)
    narrow = getattr(queryset, "for_access", None)
    return narrow(access) if narrow is not None else queryset


def can_edit(access: Access, obj: Model | None = None) -> bool:
    """Coordinators edit all their territory, co-pilots what they pilot, viewers nothing."""
    if access.is_coordinator:
        return True
    if access.is_copilot and obj is not None:
        check = getattr(obj, "is_copiloted_by", None)
        return bool(check and check(access.user))
    return False


def require_edit(access: Access, obj: Model | None = None) -> None:
    if not can_edit(access, obj):
        raise PermissionDenied


class TerritoryMixin(LoginRequiredMixin):
    """For class-based views under /t/<territory>/: resolves the access and scopes querysets.

    `write = True` marks a page that changes data: viewers get 403 and co-pilots only reach the
    objects they pilot. Any unsafe method (POST...) is a write whatever the flag says.
    """

    access_policy = POLICY_TERRITORY
    write = False
    # Pages that change the whole territory (the directory, a new contract...), not one object
    # a co-pilot may pilot: only coordinators open them, whatever the method.
    coordinator_only = False
    request: HttpRequest
    kwargs: dict[str, Any]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = get_access(user=request.user, territory_slug=kwargs["territory"])
        self.territory = self.access.territory
        request.access = self.access  # type: ignore[attr-defined]
        if self.is_write(request) and not self.access.can_write:
            raise PermissionDenied
        if self.coordinator_only:
            require_edit(self.access)
        return super().dispatch(request, *args, **kwargs)

    def is_write(self, request: HttpRequest) -> bool:
        return self.write or request.method not in SAFE_METHODS

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(super().get_queryset(), self.access)  # type: ignore[misc]

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Model:
        obj = super().get_object(queryset)  # type: ignore[misc]
        if self.is_write(self.request):
            require_edit(self.access, obj)
        return obj

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(access=self.access, territory=self.territory)
        return context


def territory_view(
    *, write: bool = False, coordinator_only: bool = False
) -> Callable[[View], View]:
    """Function-view twin of `TerritoryMixin`: the view receives the resolved `access`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, territory: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            access = get_access(user=request.user, territory_slug=territory)
            request.access = access  # type: ignore[attr-defined]
            writing = write or request.method not in SAFE_METHODS
            if writing and not access.can_write:
                raise PermissionDenied
            if coordinator_only:
                require_edit(access)
            return view(request, access, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.access_policy = POLICY_TERRITORY  # type: ignore[attr-defined]
        return guarded

    return decorator


def authenticated_view(view: View) -> View:
    """A page for any signed-in user that shows nothing of a territory they cannot see."""
    guarded = login_required(view)
    guarded.access_policy = POLICY_AUTHENTICATED  # type: ignore[attr-defined]
    return guarded


def public_view(view: View) -> View:
    """A page anyone may reach (sign-in, health, signed e-mail links that carry their own proof)."""
    view.access_policy = POLICY_PUBLIC  # type: ignore[attr-defined]
    return view
