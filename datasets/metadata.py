"""A dataset's metadata for catalogues: DCAT as JSON-LD and ISO 19115 in the ISO 19139 encoding.

Both carry the titles and abstracts in Georgian and English, keywords, licence, contact,
extent (computed from the active version), the coordinate system, dates, and links to the
services that publish the layer (OGC API Features, WFS, vector tiles, downloads).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from lxml import etree

from datasets.models import Dataset
from datasets.selectors import version_extent

EXPORT_FORMATS = ("gpkg", "geojson", "csv", "csv.zip", "shp.zip", "kml")
NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
CODE_LISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"


def service_links(request: HttpRequest, dataset: Dataset) -> dict[str, str]:
    base = request.build_absolute_uri("/").rstrip("/")
    links = {
        "ogcapi": f"{base}/ogcapi/collections/{dataset.name}",
        "wfs": f"{base}/wfs?SERVICE=WFS&REQUEST=GetCapabilities",
        "tiles": f"{base}/tiles/{dataset.name}.json",
    }
    if dataset.downloadable:
        for fmt in EXPORT_FORMATS:
            links[f"export.{fmt}"] = f"{base}/api/v1/layers/{dataset.name}/export.{fmt}"
    return links


def _bilingual(ka: str, en: str) -> list[dict]:
    return [{"@value": ka, "@language": "ka"}, {"@value": en, "@language": "en"}]


def dcat_jsonld(request: HttpRequest, dataset: Dataset) -> dict:
    version = dataset.active_version
    extent = version_extent(version)
    links = service_links(request, dataset)
    data: dict = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "locn": "http://www.w3.org/ns/locn#",
            "gsp": "http://www.opengis.net/ont/geosparql#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": request.build_absolute_uri(),
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.name,
        "dct:title": _bilingual(dataset.title_ka, dataset.title_en),
        "dct:description": _bilingual(dataset.abstract_ka, dataset.abstract_en),
        "dcat:keyword": list(dataset.keywords),
        "dct:language": ["ka", "en"],
        "dct:issued": {
            "@value": (dataset.published_at or dataset.created_at).isoformat(),
            "@type": "xsd:dateTime",
        },
        "dct:modified": {"@value": dataset.updated_at.isoformat(), "@type": "xsd:dateTime"},
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": _bilingual(dataset.municipality.name_ka, dataset.municipality.name_en),
        },
        "dct:conformsTo": {"@id": f"http://www.opengis.net/def/crs/EPSG/0/{settings.SRID_STORAGE}"},
        "dcat:distribution": [],
    }
    if dataset.licence:
        data["dct:license"] = dataset.licence
    if dataset.contact_name or dataset.contact_email:
        contact: dict = {"@type": "vcard:Kind", "vcard:fn": dataset.contact_name}
        if dataset.contact_email:
            contact["vcard:hasEmail"] = {"@id": f"mailto:{dataset.contact_email}"}
        data["dcat:contactPoint"] = contact
    if extent:
        w, s, e, n = extent
        data["dct:spatial"] = {
            "@type": "dct:Location",
            "dcat:bbox": {
                "@value": f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))",
                "@type": "gsp:wktLiteral",
            },
        }
    titles = {
        "ogcapi": "OGC API Features",
        "wfs": "WFS 2.0",
        "tiles": "Mapbox Vector Tiles (TileJSON)",
    }
    for key, url in links.items():
        data["dcat:distribution"].append(
            {
                "@type": "dcat:Distribution",
                "dct:title": titles.get(key, key.removeprefix("export.").upper()),
                "dcat:accessURL": {"@id": url},
                **(
                    {"dcat:downloadURL": {"@id": url}, "dct:format": key.removeprefix("export.")}
                    if key.startswith("export.")
                    else {}
                ),
            }
        )
    return data


def _el(parent, tag: str, text: str | None = None, **attrs):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}")
    for key, value in attrs.items():
        if ":" in key:
            p, n = key.split(":")
            element.set(f"{{{NS[p]}}}{n}", value)
        else:
            element.set(key, value)
    if text is not None:
        element.text = text
    return element


def _string(parent, tag: str, text: str):
    return _el(_el(parent, tag), "gco:CharacterString", text)


def _free_text(parent, tag: str, ka: str, en: str):
    """Georgian as the main text, English as a localised string (PT_FreeText)."""
    holder = _el(parent, tag, **{"xsi:type": "gmd:PT_FreeText_PropertyType"})
    _el(holder, "gco:CharacterString", ka)
    group = _el(_el(holder, "gmd:PT_FreeText"), "gmd:textGroup")
    _el(group, "gmd:LocalisedCharacterString", en, locale="#EN")
    return holder


def _code(parent, tag: str, code_list: str, value: str):
    return _el(
        _el(parent, tag),
        f"gmd:{code_list}",
        value,
        codeList=f"{CODE_LISTS}#{code_list}",
        codeListValue=value,
    )


def _party(parent, tag: str, dataset: Dataset):
    party = _el(_el(parent, tag), "gmd:CI_ResponsibleParty")
    if dataset.contact_name:
        _string(party, "gmd:individualName", dataset.contact_name)
    _free_text(
        party,
        "gmd:organisationName",
        dataset.municipality.name_ka,
        dataset.municipality.name_en,
    )
    if dataset.contact_email:
        info = _el(_el(party, "gmd:contactInfo"), "gmd:CI_Contact")
        address = _el(_el(info, "gmd:address"), "gmd:CI_Address")
        _string(address, "gmd:electronicMailAddress", dataset.contact_email)
    _code(party, "gmd:role", "CI_RoleCode", "pointOfContact")


def iso19139_xml(request: HttpRequest, dataset: Dataset) -> bytes:
    version = dataset.active_version
    extent = version_extent(version)
    root = etree.Element(f"{{{NS['gmd']}}}MD_Metadata", nsmap=NS)
    _string(root, "gmd:fileIdentifier", f"gisportal-dataset-{dataset.name}")
    _code(root, "gmd:language", "LanguageCode", "geo")
    _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
    _party(root, "gmd:contact", dataset)
    _el(_el(root, "gmd:dateStamp"), "gco:DateTime", dataset.updated_at.isoformat())
    _string(root, "gmd:metadataStandardName", "ISO 19115:2003/19139")
    _string(root, "gmd:metadataStandardVersion", "1.0")
    locale = _el(_el(root, "gmd:locale"), "gmd:PT_Locale", id="EN")
    _code(locale, "gmd:languageCode", "LanguageCode", "eng")
    _code(locale, "gmd:characterEncoding", "MD_CharacterSetCode", "utf8")

    for code in (f"EPSG:{settings.SRID_STORAGE}", f"EPSG:{settings.SRID_API}"):
        system = _el(_el(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem")
        identifier = _el(_el(system, "gmd:referenceSystemIdentifier"), "gmd:RS_Identifier")
        _string(identifier, "gmd:code", code)
        _string(identifier, "gmd:codeSpace", "EPSG")

    ident = _el(_el(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    citation = _el(_el(ident, "gmd:citation"), "gmd:CI_Citation")
    _free_text(citation, "gmd:title", dataset.title_ka, dataset.title_en)
    for when, kind in (
        (dataset.created_at, "creation"),
        (dataset.published_at, "publication"),
        (version.activated_at if version else None, "revision"),
    ):
        if when is None:
            continue
        date = _el(_el(citation, "gmd:date"), "gmd:CI_Date")
        _el(_el(date, "gmd:date"), "gco:DateTime", when.isoformat())
        _code(date, "gmd:dateType", "CI_DateTypeCode", kind)
    identifier = _el(_el(citation, "gmd:identifier"), "gmd:MD_Identifier")
    _string(identifier, "gmd:code", dataset.name)
    _free_text(ident, "gmd:abstract", dataset.abstract_ka, dataset.abstract_en)
    _party(ident, "gmd:pointOfContact", dataset)
    if dataset.keywords:
        keywords = _el(_el(ident, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
        for word in dataset.keywords:
            _string(keywords, "gmd:keyword", word)
    if dataset.licence:
        constraints = _el(_el(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
        _code(constraints, "gmd:useConstraints", "MD_RestrictionCode", "license")
        _string(constraints, "gmd:otherConstraints", dataset.licence)
    _code(ident, "gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
    _code(ident, "gmd:language", "LanguageCode", "geo")
    _code(ident, "gmd:language", "LanguageCode", "eng")
    _code(ident, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    if extent:
        w, s, e, n = extent
        box = _el(
            _el(_el(_el(ident, "gmd:extent"), "gmd:EX_Extent"), "gmd:geographicElement"),
            "gmd:EX_GeographicBoundingBox",
        )
        for tag, value in (
            ("gmd:westBoundLongitude", w),
            ("gmd:eastBoundLongitude", e),
            ("gmd:southBoundLatitude", s),
            ("gmd:northBoundLatitude", n),
        ):
            _el(_el(box, tag), "gco:Decimal", f"{value:.6f}")

    distribution = _el(_el(root, "gmd:distributionInfo"), "gmd:MD_Distribution")
    options = _el(_el(distribution, "gmd:transferOptions"), "gmd:MD_DigitalTransferOptions")
    protocols = {"ogcapi": "OGC:API-Features", "wfs": "OGC:WFS", "tiles": "MVT:TileJSON"}
    for key, url in service_links(request, dataset).items():
        resource = _el(_el(options, "gmd:onLine"), "gmd:CI_OnlineResource")
        _el(_el(resource, "gmd:linkage"), "gmd:URL", url)
        _string(resource, "gmd:protocol", protocols.get(key, "WWW:DOWNLOAD-1.0-http--download"))
        _string(resource, "gmd:name", dataset.name if key != "wfs" else f"WFS {dataset.name}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
