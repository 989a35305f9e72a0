"""WFS 2.0 at `/wfs`: django-gisserver serving every registered layer as a feature type.

The feature types are built on each request from the layers that the request may see (its
user or API key), so a staff-only layer is neither listed in GetCapabilities nor answerable
by DescribeFeatureType, GetFeature or GetPropertyValue for anyone else: to them it is an
unknown type name. There is no code per layer; everything comes from the registry.

Beyond gisserver: GetCapabilities states the default page size (CountDefault), a BBOX may be
given in CRS84, an unknown query parameter is refused rather than ignored, a client that
asks for the capabilities in WFS 1.1.0 is answered in 2.0.0, the one version served, and
pages in key order are read by key (LayerGetFeature), at the same cost at any depth.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from xml.parsers import expat

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import QueryDict
from django.http.request import RawPostDataException
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from gisserver.crs import CRS
from gisserver.exceptions import (
    InvalidParameterValue,
    OperationParsingFailed,
    OperationProcessingFailed,
)
from gisserver.extensions.queries import stored_query_registry
from gisserver.features import FeatureField, FeatureType, ServiceDescription
from gisserver.geometries import WGS84BoundingBox
from gisserver.operations import wfs20
from gisserver.parsers.xml import parse_xml_from_string, split_ns
from gisserver.types import XsdTypes
from gisserver.views import WFSView
from lxml import etree

from layers.exports import CRS84_NAMES
from layers.ogcapi.features import cached_count
from layers.registry import Layer, LayerField, registry
from layers.versions import is_versioned, layer_token

# A namespace is a name, never fetched; a URN makes that plain and needs no domain of ours.
XML_NAMESPACE = "urn:x-gislayer-pages:list"
XML_PREFIX = "gisportal"
OWS = "http://www.opengis.net/ows/1.1"

# Other coordinate systems a client may ask for besides the layer's own (the storage grid).
OTHER_SRIDS = (settings.SRID_API, settings.SRID_TILES)

# An XML NCName: what a WFS type name must be. Registry names are slugs, which qualify unless
# they start with a digit; those get an underscore in front, which no slug can start with.
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

# The KVP parameters of WFS 2.0 (ISO 19142, tables 5 to 17, the locking ones included), and
# the WFS 1.x names that gisserver also reads (TYPENAME, MAXFEATURES). A stored query adds
# its own parameters.
STANDARD_PARAMETERS = frozenset(
    {
        "SERVICE",
        "VERSION",
        "REQUEST",
        "NAMESPACES",
        "ACCEPTVERSIONS",
        "ACCEPTFORMATS",
        "ACCEPTLANGUAGES",
        "SECTIONS",
        "UPDATESEQUENCE",
        "TYPENAME",
        "TYPENAMES",
        "OUTPUTFORMAT",
        "STARTINDEX",
        "COUNT",
        "MAXFEATURES",
        "RESULTTYPE",
        "RESOLVE",
        "RESOLVEDEPTH",
        "RESOLVETIMEOUT",
        "RESOLVEPATH",
        "VALUEREFERENCE",
        "ALIASES",
        "SRSNAME",
        "PROPERTYNAME",
        "FILTER",
        "FILTER_LANGUAGE",
        "RESOURCEID",
        "BBOX",
        "SORTBY",
        "STOREDQUERY_ID",
        "LOCKID",
        "EXPIRY",
        "LOCKACTION",
    }
)
# Ours: the API key for clients that can only add a parameter (layers.access), the format of a
# page, as in the OGC API, and the key after which a page starts (LayerGetFeature).
AFTER_ID = "AFTER-ID"
VENDOR_PARAMETERS = frozenset({"API_KEY", "F", AFTER_ID})
# Bounds on what a request may ask (_check_paging, _guard_xml).
MAX_PAGING = 2**31 - 1
MAX_XML_BYTES = 1_000_000
MAX_XML_DEPTH = 64
MAX_XML_ELEMENTS = 20_000
# How long the key at which a page ended is remembered for the next STARTINDEX (the layer's
# version is in the cache key, so a change of the data forgets it at once).
PAGE_END_SECONDS = 3600


def typename_of(layer: Layer) -> str:
    """The WFS type name of a layer: its name, made a valid XML NCName where it is not."""
    return layer.name if NCNAME.match(layer.name) else f"_{layer.name}"


# Stand-in model fields for properties that are annotations, by the registry's type names.
_ANNOTATION_FIELD_CLASSES: dict[str, type[models.Field]] = {
    "string": models.TextField,
    "integer": models.BigIntegerField,
    "number": models.FloatField,
    "boolean": models.BooleanField,
    "date": models.DateField,
    "date-time": models.DateTimeField,
}


class LayerFeatureField(FeatureField):
    """A model field of a layer, typed so that GDAL can read the schema.

    GDAL's WFS driver stops reading DescribeFeatureType at `xsd:nonNegativeInteger` (what
    gisserver gives positive integer fields) and guesses the schema from sample features.
    """

    def _get_xsd_type(self):
        xsd_type = super()._get_xsd_type()
        return XsdTypes.integer if xsd_type is XsdTypes.nonNegativeInteger else xsd_type


class AnnotatedField(FeatureField):
    """A property that the layer's queryset annotates (a computed value, a key of a JSON column).

    gisserver binds each field through the model's `_meta`, where an annotation is not found;
    this one is bound to an unattached model field of the declared type instead. That field
    gives the XSD type and parses filter values; the value is read from the instance's
    attribute and filters go to the ORM by the annotation's name, which the ORM resolves.
    """

    def __init__(self, name: str, *, value_type: str, abstract: str | None = None) -> None:
        super().__init__(name, abstract=abstract)
        self.value_type = value_type

    def bind(self, model, parent=None, feature_type=None) -> None:
        if self.model is not None:
            raise RuntimeError(f"Feature field '{self.name}' cannot be reused")
        self.model = model
        self.parent = parent
        self.feature_type = feature_type
        stand_in = _ANNOTATION_FIELD_CLASSES.get(self.value_type, models.TextField)(null=True)
        stand_in.set_attributes_from_name(self.name)
        self.model_field = stand_in


class _WFSQuerySet:
    """What gisserver needs of a layer's queryset beyond what the layer gives.

    `only()` passes over annotation names: gisserver narrows every query with
    `only(<each exposed field>)`, and Django refuses a name that is not a model field
    (annotations are selected in any case). `order_by()` ends with the primary key: paging
    with STARTINDEX needs a total order, which neither a layer's ordering nor a SORTBY on
    a column with ties gives.
    """

    def only(self, *fields):
        annotations = self.query.annotations
        return super().only(*(f for f in fields if f.split("__", 1)[0] not in annotations))

    def order_by(self, *fields):
        if fields and not {"pk", "-pk"} & {str(f) for f in fields}:
            fields = (*fields, "pk")
        return super().order_by(*fields)


@functools.cache
def _wfs_queryset_class(queryset_class: type[QuerySet]) -> type[QuerySet]:
    return type(f"WFS{queryset_class.__name__}", (_WFSQuerySet, queryset_class), {})


def _model_field_names(model: type[models.Model]) -> set[str]:
    names = set()
    for model_field in model._meta.concrete_fields:
        names.update((model_field.name, model_field.attname))
    return names


class LayerFeatureType(FeatureType):
    """The feature type of one registry layer, made for one request."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        queryset = layer.get_queryset()
        model_fields = _model_field_names(queryset.model)
        fields = [_feature_field(layer_field, model_fields) for layer_field in layer.fields()]
        fields.append(FeatureField(layer.geometry_field))
        srid = layer.srid
        super().__init__(
            queryset,
            fields=fields,
            geometry_field_name=layer.geometry_field,
            name=typename_of(layer),
            title=layer.title or layer.name,
            abstract=layer.description or None,
            keywords=list(layer.keywords),
            crs=CRS.from_srid(srid),
            other_crs=[CRS.from_srid(other) for other in OTHER_SRIDS if other != srid],
            xml_namespace=XML_NAMESPACE,
            # Otherwise gisserver writes str(instance) as <gml:name> and GeoJSON's
            # geometry_name: text the layer does not declare as public.
            show_name_field=False,
        )

    def get_queryset(self) -> QuerySet:
        queryset = self.queryset.all()
        queryset.__class__ = _wfs_queryset_class(type(queryset))
        # In key order unless the layer orders its rows (or SORTBY asks): pages then follow
        # the key (LayerGetFeature), and cost the same at any depth.
        ordering = queryset.query.order_by or ("pk",)
        return queryset.order_by(*ordering).only(*self._local_model_field_names)

    def get_bounding_box(self) -> WGS84BoundingBox | None:
        """The layer's extent for GetCapabilities, kept until the layer's data changes.

        Computing it reads the whole table, which GetCapabilities must not do on each call.
        """
        key = f"wfs:extent:{self.layer.name}:{layer_token(self.layer)}"
        extent = caches["local"].get(key)
        if extent is None:
            box = super().get_bounding_box()
            extent = (box.lower_corner + box.upper_corner) if box else ()
            caches["local"].set(key, extent, timeout=None)
        return WGS84BoundingBox(*extent) if extent else None

    def resolve_crs(self, crs: CRS, locator: str = "") -> CRS:
        """The CRS of a BBOX or SRSNAME; a BBOX may also be in CRS84.

        gisserver refuses CRS84, which it does not list. A CRS84 box keeps its longitude-first
        coordinates and SRID 4326, which is how PostGIS reads 4326: the ORM transforms it.
        """
        if locator == "bbox" and crs.authority == "OGC":
            return crs
        return super().resolve_crs(crs, locator=locator)


def _feature_field(layer_field: LayerField, model_fields: set[str]) -> FeatureField:
    abstract = layer_field.title if layer_field.title != layer_field.name else None
    if layer_field.name in model_fields:
        return LayerFeatureField(layer_field.name, abstract=abstract)
    return AnnotatedField(layer_field.name, value_type=layer_field.type, abstract=abstract)


def _count_default(value: int) -> etree._Element:
    constraint = etree.Element(f"{{{OWS}}}Constraint", name="CountDefault")
    etree.SubElement(constraint, f"{{{OWS}}}NoValues")
    etree.SubElement(constraint, f"{{{OWS}}}DefaultValue").text = str(value)
    return constraint


class LayerGetCapabilities(wfs20.GetCapabilities):
    """GetCapabilities that states CountDefault: the page a GetFeature without COUNT gets.

    GDAL pages by it (read from the GetFeature operation; without it, by 100 features); it is
    stated for the service as well, where the standard puts it and other clients look.
    """

    def render_xml(self, context, ows_request):
        response = super().render_xml(context, ows_request)
        root = etree.fromstring(response.content)
        metadata = root.find(f"{{{OWS}}}OperationsMetadata")
        if metadata is None:
            return response
        count = self.view.max_page_size
        for operation in metadata.iterfind(f"{{{OWS}}}Operation"):
            if operation.get("name") in ("GetFeature", "GetPropertyValue"):
                # After the parameters: OWS 1.1 puts an operation's constraints after them.
                operation.append(_count_default(count))
        after = metadata.findall(f"{{{OWS}}}Constraint") or metadata.findall(f"{{{OWS}}}Operation")
        after[-1].addnext(_count_default(count))
        response.content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return response


class LayerGetFeature(wfs20.GetFeature):
    """GetFeature whose pages cost the same at any depth.

    A page of one feature type in key order (no SORTBY) is read by key rather than skipped to
    by OFFSET: after the AFTER-ID that its `next` link carries (with the STARTINDEX it stands
    for), or, for a client that counts STARTINDEX itself (GDAL and QGIS do), after the key at
    which the page before it ended, remembered under the layer's version. A STARTINDEX with no
    such page before it is read by offset, as before. Past the first page, numberMatched is
    counted once per version of the layer and query, not on every page.
    """

    _keyed: tuple | None = None

    def get_results(self):
        collection = super().get_results()
        after = self._after_id()
        if len(collection.results) != 1:
            if after is not None:
                raise InvalidParameterValue(
                    gettext("AFTER-ID pages one feature type at a time."), locator="AFTER-ID"
                )
            return collection
        result = collection.results[0]
        layer = getattr(result.feature_types[0], "layer", None)
        found = result.queryset
        if layer is None or list(found.query.order_by) != ["pk"]:
            if after is not None:
                raise InvalidParameterValue(
                    gettext("AFTER-ID follows the key order, which SORTBY changes."),
                    locator="AFTER-ID",
                )
            return collection
        start, count = result.start, result.stop - result.start
        token = None
        if after is not None or start > 0:
            token = layer_token(layer)
            result._number_matched = cached_count(layer, found, token=token)
            if after is not None:
                after = _key_of(layer, after)
            elif is_versioned(token):
                after = caches["local"].get(_end_key(layer, token, found, start))
            if after is not None:
                result.queryset = found.filter(pk__gt=after)
                result.start, result.stop = 0, count
        self._keyed = (layer, found, start, count, token)
        return collection

    def set_pagination_links(self, collection) -> None:
        if self._keyed is None or math.isinf(self._keyed[3]):
            super().set_pagination_links(collection)
            return
        layer, found, start, count, token = self._keyed
        result = collection.results[0]
        result.fetch_results()
        page = result._result_cache or []
        if start > 0:
            collection.previous = self._page_url(
                STARTINDEX=max(0, start - count), COUNT=count, **{AFTER_ID: None}
            )
        more = start + len(page) < result.number_matched if token else result.has_next
        if page and more:
            end = start + len(page)
            token = token or layer_token(layer)
            if is_versioned(token):
                caches["local"].set(
                    _end_key(layer, token, found, end), page[-1].pk, PAGE_END_SECONDS
                )
            collection.next = self._page_url(STARTINDEX=end, COUNT=count, **{AFTER_ID: page[-1].pk})

    def _after_id(self) -> str | None:
        if self.view.request.method != "GET":
            return None
        return next(
            (value for name, value in self.view.request.GET.items() if name.upper() == AFTER_ID),
            None,
        )

    def _page_url(self, **changes) -> str | None:
        """This request's URL with the paging parameters changed (None: left out)."""
        params = self.view.request.GET.copy()
        if self.view.request.method != "GET":
            try:
                params.update(self.ows_request.as_kvp())
            except NotImplementedError:  # a POSTed query that has no KVP form
                return None
        for name in list(params):
            if name.upper() in changes:
                del params[name]
        for name, value in changes.items():
            if value is not None:
                params[name] = value
        return f"{self.view.server_url}?{params.urlencode()}"


def _end_key(layer: Layer, token: str, found: QuerySet, end: int) -> str:
    """The cache key of the key at which a page of this query ended, `end` features in."""
    sql, values = found.order_by().query.sql_with_params()
    digest = hashlib.sha256("|".join([sql, *map(str, values)]).encode()).hexdigest()
    return f"wfs:page-end:{layer.name}:{token}:{digest}:{end}"


def _key_of(layer: Layer, value: str):
    try:
        return layer.model._meta.pk.to_python(value)
    except ValidationError:
        raise InvalidParameterValue(
            gettext("AFTER-ID is not a feature id."), locator="AFTER-ID"
        ) from None


class LayerWFSView(WFSView):
    """The WFS endpoint: GetCapabilities, DescribeFeatureType, GetFeature, GetPropertyValue
    and the stored queries, as gisserver implements them, over the visible layers."""

    xml_namespace = XML_NAMESPACE
    xml_namespace_aliases = {XML_PREFIX: XML_NAMESPACE}
    accept_operations = {
        "WFS": {
            **WFSView.accept_operations["WFS"],
            "GetCapabilities": LayerGetCapabilities,
            "GetFeature": LayerGetFeature,
        }
    }

    # The operation asked for, known before gisserver negotiates the version.
    operation_name = ""

    def get_feature_types(self) -> list[FeatureType]:
        # Built once per request (a view instance serves one request): the sources of rows
        # and the permission checks are asked once however often gisserver asks for them.
        if not hasattr(self, "_feature_types"):
            visible = registry.visible_to(self.request.user, getattr(self.request, "api_key", None))
            self._feature_types = [LayerFeatureType(layer) for layer in visible]
        return self._feature_types

    def get_service_description(self, service: str | None = None) -> ServiceDescription:
        return ServiceDescription(
            title=gettext("gisportal: municipal layers of Batumi and Rustavi"),
            abstract=gettext(
                "Spatial data published by the municipalities: boundaries, districts, "
                "zoning, streets, cadastral blocks, buildings, parcels and uploaded datasets."
            ),
            keywords=["Batumi", "Rustavi", "Georgia", gettext("cadastre")],
            provider_name="gisportal",
        )

    def get(self, request, *args, **kwargs):
        params = {key.upper(): value for key, value in request.GET.items()}
        self.operation_name = params.get("REQUEST", "")
        if not self.is_index_request():
            _check_known(request.GET)
        _check_presentation(params, case_sensitive=False)
        _check_paging(params)
        request.GET = _bbox_in_crs84_as_urn(request.GET)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            body = request.body
        except RawPostDataException:
            # A multipart form, whose stream core.inputs has read for NUL characters: it is not
            # an XML request, and reading the body again would be a 500.
            raise OperationParsingFailed(
                gettext("The request is not XML that this server reads: %(error)s")
                % {"error": "multipart/form-data"},
                locator="request",
            ) from None
        _guard_xml(body)
        try:
            root = parse_xml_from_string(body)
        except (ValueError, LookupError) as exc:
            # ExternalParsingError, or defusedxml's refusal of a DTD or entities (also a
            # ValueError), which gisserver would let through as a 500.
            raise OperationParsingFailed(
                gettext("The request is not XML that this server reads: %(error)s")
                % {"error": exc.__class__.__name__},
                locator="request",
            ) from exc
        params = {key.upper(): value for key, value in root.attrib.items()}
        self.operation_name = split_ns(root.tag)[1]
        _check_presentation(params, case_sensitive=True)
        _check_paging(params)
        return super().post(request, *args, **kwargs)

    def set_version(self, service: str, version: str | None) -> None:
        """Use the version asked for; GetCapabilities goes by ACCEPTVERSIONS alone.

        OWS Common 1.1 (7.3) negotiates the version of GetCapabilities with AcceptVersions
        and gives no VERSION to it, so a client pinned to another version (VERSION=1.1.0) gets
        the capabilities of the one served, 2.0.0, and learns from them what to speak.
        """
        if self.operation_name.upper() == "GETCAPABILITIES" and version not in self.accept_versions:
            version = None
        super().set_version(service, version)

    def handle_exception(self, exc):
        if isinstance(exc, GEOSException | GDALException):
            # gisserver builds the geometries of BBOX and of filters without catching what
            # GEOS or GDAL raise on a malformed one (NaN, a ring of three numbers).
            in_bbox = any(key.upper() == "BBOX" for key in self.request.GET)
            exc = OperationParsingFailed(
                gettext("The geometry in the request is not valid."),
                locator="bbox" if in_bbox else "filter",
            )
        elif isinstance(exc, OperationProcessingFailed) and exc.status_code >= 500:
            # gisserver gives 500 to some requests it does not support (resolvePath,
            # valueOf()); the fault is in the request, so it is a 400.
            exc.status_code = 400
        return super().handle_exception(exc)

    # WFS reads only; clients POST XML queries without a CSRF token (gisserver's own
    # dispatch is exempt too, which overriding it would otherwise undo).
    @csrf_exempt
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # What a response holds depends on who asks: a shared cache must not keep the
        # answer given to staff or to an API key.
        patch_vary_headers(response, ["Cookie", "Authorization", "X-API-Key"])
        if self._sees_more_than_the_public(request):
            patch_cache_control(response, private=True)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    @staticmethod
    def _sees_more_than_the_public(request) -> bool:
        return getattr(request, "api_key", None) is not None or request.user.is_authenticated


def _check_paging(params: dict[str, str]) -> None:
    """Refuse a STARTINDEX, COUNT or MAXFEATURES beyond MAX_PAGING: PostgreSQL's OFFSET and
    LIMIT are bigints, and gisserver would hand it on to fail there."""
    for name in ("STARTINDEX", "COUNT", "MAXFEATURES"):
        value = params.get(name, "").strip()
        if value.isdigit() and int(value) > MAX_PAGING:
            raise InvalidParameterValue(
                gettext("%(name)s must be at most %(maximum)d.")
                % {"name": name, "maximum": MAX_PAGING},
                locator=name,
            )


class _Refused(Exception):
    pass


def _guard_xml(body: bytes) -> None:
    """Refuse a POSTed request before gisserver parses it: over MAX_XML_BYTES, nested deeper
    than MAX_XML_DEPTH, with more than MAX_XML_ELEMENTS elements, with a DTD, or not XML.

    gisserver builds its query from the element tree recursively; 350 KB of nested elements
    held a worker for more than 13 minutes. The scan here is expat's, in C, with two counters
    in Python: a few milliseconds for the largest body allowed.
    """
    if len(body) > MAX_XML_BYTES:
        raise OperationParsingFailed(
            gettext("The request is larger than %(size)d bytes.") % {"size": MAX_XML_BYTES},
            locator="request",
        )
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = elements = 0

    def start(name, attributes):
        nonlocal depth, elements
        depth += 1
        elements += 1
        if depth > MAX_XML_DEPTH:
            raise _Refused(
                gettext("The request nests elements deeper than %(depth)d.")
                % {"depth": MAX_XML_DEPTH}
            )
        if elements > MAX_XML_ELEMENTS:
            raise _Refused(
                gettext("The request has more than %(count)d elements.")
                % {"count": MAX_XML_ELEMENTS}
            )

    def end(name):
        nonlocal depth
        depth -= 1

    def doctype(*args):
        raise _Refused(gettext("The request may not declare a DTD."))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(body, True)
    except _Refused as exc:
        raise OperationParsingFailed(str(exc), locator="request") from None
    except (expat.ExpatError, LookupError, ValueError) as exc:
        raise OperationParsingFailed(
            gettext("The request is not XML that this server reads: %(error)s")
            % {"error": exc.__class__.__name__},
            locator="request",
        ) from None


def _check_known(query: QueryDict) -> None:
    """Refuse a parameter that neither WFS 2.0 nor this portal knows (names in any case).

    gisserver would pass over it, and answer as if it were not there: a filter sent under a
    name of another API (OWSLib's `query=`) would give every feature instead of the few.
    """
    known = STANDARD_PARAMETERS | VENDOR_PARAMETERS | _stored_query_parameters(query)
    for name in query:
        if name.upper() not in known:
            raise InvalidParameterValue(
                gettext("The parameter %(name)s is not known to this WFS.") % {"name": name[:50]},
                locator=name[:50],
            )


def _stored_query_parameters(query: QueryDict) -> set[str]:
    """The parameters of the stored queries that STOREDQUERY_ID names; an unknown one is
    reported as gisserver reports it."""
    ids = next((v for k, v in query.items() if k.upper() == "STOREDQUERY_ID"), "")
    names = set()
    for query_id in filter(None, ids.split(",")):
        description = stored_query_registry.resolve_query(query_id)
        names.update(name.upper() for name in description.parameters)
    return names


def _bbox_in_crs84_as_urn(query: QueryDict) -> QueryDict:
    """The query with a BBOX's CRS84, in whichever spelling, as the URN gisserver parses.

    gisserver reads `urn:ogc:def:crs:OGC::CRS84` but not the OGC URI of CRS84
    (`http://www.opengis.net/def/crs/OGC/1.3/CRS84`) that OGC API clients send.
    """
    for name in query:
        if name.upper() == "BBOX":
            *numbers, crs = query[name].split(",")
            if len(numbers) == 4 and crs.strip().lower() in CRS84_NAMES:
                query = query.copy()
                query[name] = ",".join([*numbers, "urn:ogc:def:crs:OGC::CRS84"])
    return query


def _check_presentation(params: dict[str, str], *, case_sensitive: bool) -> None:
    """Refuse what gisserver would turn into a 500: an unknown RESULTTYPE, a negative COUNT.

    A negative STARTINDEX, which gisserver would quietly read as 0, is refused as well.
    """
    result_type = params.get("RESULTTYPE")
    if result_type is not None and (result_type if case_sensitive else result_type.lower()) not in (
        "results",
        "hits",
    ):
        raise InvalidParameterValue(
            gettext("RESULTTYPE must be results or hits; got %(value)s.") % {"value": result_type},
            locator="resultType",
        )
    for name, locator in (
        ("COUNT", "count"),
        ("MAXFEATURES", "count"),
        ("STARTINDEX", "startIndex"),
    ):
        raw = params.get(name, "").strip()
        if raw.lstrip("-").isdigit() and int(raw) < 0:
            raise InvalidParameterValue(
                gettext("%(name)s may not be negative; got %(value)s.")
                % {"name": name, "value": raw},
                locator=locator,
            )
