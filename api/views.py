"""The API's views: one read-only endpoint per exported dataset, and writes on exchanges and training records."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from api import errors
from api.datasets import ApiDataset
from api.pagination import Cursor, RowCursor
from api.permissions import READ, RolePermission
from api.writes import (
    REASON_HEADER,
    ExchangeWrite,
    PreconditionFailed,
    PreconditionRequired,
    TrainingRecordWrite,
    change_reason,
    model_errors,
)
from audit.versions import InvalidVersion, StaleVersion, check_version, version_of
from core.fields import fits_bigint
from exports.filters import Filters
from partners.services import exchange_save
from training.services import training_record_save


def etag(model, pk) -> str:
    return f'"{version_of(model, pk)}"'


def if_match(request) -> str:
    value = request.headers.get("If-Match", "").strip()
    if not value:
        raise PreconditionRequired
    return value.removeprefix("W/").strip('"')


class DatasetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rows of one dataset, filtered as its export is, oldest record first."""

    dataset: ApiDataset
    permission_classes = [RolePermission]

    def permissions_for(self, method: str) -> list[str]:
        return [self.dataset.read_permission] if method in READ else []

    def get_serializer_class(self):
        return self.dataset.serializer

    def get_queryset(self):
        return self.dataset.rows(self.dataset.filters(self.request.query_params))


class TableViewSet(mixins.RetrieveModelMixin, DatasetViewSet):
    """A table of records: pages by id, and each record at ``<id>/`` with its version as the ETag."""

    lookup_value_regex = "-?[0-9]+"  # any integer the schema allows; get_object() answers 404 for those that are none

    pagination_class = Cursor

    def get_object(self):
        pk = self.kwargs["pk"]
        if not fits_bigint(pk):
            raise Http404
        row = self.dataset.rows(Filters()).filter(pk=pk).first()
        if row is None:
            raise Http404
        return row

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        return Response(self.get_serializer(row).data, headers={"ETag": etag(self.dataset.table.model, row["pk"])})


class RowsViewSet(DatasetViewSet):
    pagination_class = RowCursor


class WritableViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, TableViewSet):
    """Create and update through the model's service, each write with its reason and (updating) its version."""

    write_serializer: type
    save = None  # the service: keyword ``exchange=`` / ``record=``

    def permissions_for(self, method: str) -> list[str]:
        opts = self.dataset.table.model._meta
        verbs = {"POST": "add", "PUT": "change", "PATCH": "change"}
        if method in verbs:
            return [f"{opts.app_label}.{verbs[method]}_{opts.model_name}"]
        return super().permissions_for(method)

    def saved(self, instance, reason: str, status_code: int) -> Response:
        instance._change_reason = reason
        try:
            self.save_record(instance)
        except DjangoValidationError as refused:
            raise model_errors(refused) from refused
        model = type(instance)
        row = self.dataset.rows(Filters()).filter(pk=instance.pk).first()
        headers = {"ETag": etag(model, instance.pk)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = reverse(f"api:{self.dataset.name}-detail", args=[instance.pk])
        return Response(self.get_serializer(row).data, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs):
        incoming = self.write_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        reason = change_reason(request, data)
        with transaction.atomic():
            return self.saved(self.dataset.table.model(**data), reason, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        pk = self.get_object()["pk"]
        model = self.dataset.table.model
        opened = if_match(request)
        incoming = self.write_serializer(model.objects.get(pk=pk), data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        reason = change_reason(request, data)
        with transaction.atomic():
            try:
                check_version(model, pk, opened)
            except (InvalidVersion, StaleVersion) as refused:
                raise PreconditionFailed(refused.message, refused.code) from refused
            instance = model.objects.get(pk=pk)
            for name, value in data.items():
                setattr(instance, name, value)
            return self.saved(instance, reason, status.HTTP_200_OK)


class ExchangeViewSet(WritableViewSet):
    write_serializer = ExchangeWrite

    def save_record(self, instance):
        exchange_save(exchange=instance)


class TrainingRecordViewSet(WritableViewSet):
    write_serializer = TrainingRecordWrite

    def save_record(self, instance):
        training_record_save(record=instance)


WRITABLE = {"exchanges": ExchangeViewSet, "training-records": TrainingRecordViewSet}
REASON = OpenApiParameter(
    REASON_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=str(_("The reason for the change, if the body carries no change_reason.")),
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=str(_("The ETag of the record as you read it: a newer save makes this update a 412.")),
)
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=str(_("The record's id.")))
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description=str(_("The record's version: send it back as If-Match to update the record.")),
)


def viewset(dataset: ApiDataset) -> type:
    """The viewset of one dataset, its schema documented from the dataset's own columns and filters."""
    if dataset.name in WRITABLE:
        base = WRITABLE[dataset.name]
    elif dataset.table is not None:
        base = TableViewSet
    else:
        base = RowsViewSet
    row = dataset.serializer
    read_errors = errors.responses(400, 401, 403, 404, 429)
    actions = {
        "list": extend_schema(
            summary=f"List {dataset.name}",
            parameters=[*dataset.parameters(), errors.retry_after()],
            responses={200: row, **errors.responses(400, 401, 403, 404, 429)},
        )
    }
    if dataset.table is not None:
        actions["retrieve"] = extend_schema(
            summary=f"One of {dataset.name}",
            parameters=[ID, ETAG, errors.retry_after()],
            responses={200: row, **read_errors},
        )
    if dataset.name in WRITABLE:
        write = base.write_serializer
        actions["create"] = extend_schema(
            summary=f"Create one of {dataset.name}",
            request=write,
            parameters=[REASON, ETAG, errors.retry_after()],
            responses={201: row, **errors.responses(400, 401, 403, 429)},
            examples=errors.write_examples(dataset.name),
        )
        for action in ("update", "partial_update"):
            actions[action] = extend_schema(
                summary=f"Update one of {dataset.name}",
                request=write,
                parameters=[ID, IF_MATCH, REASON, ETAG, errors.retry_after()],
                responses={
                    200: row,
                    **errors.responses(400, 401, 403, 404, 412, 428, 429),
                },
            )
    name = "".join(part.title() for part in dataset.name.split("-")) + "ViewSet"
    cls = type(name, (base,), {"dataset": dataset, "__doc__": base.__doc__})
    return extend_schema_view(**actions)(cls)
