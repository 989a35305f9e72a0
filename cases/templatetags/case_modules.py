"""What the case's module says about a case, for the one window's pages and e-mails: its
variant by label and the content of its decision (core.modules), without naming the module."""

from django import template

from core.modules import registry

register = template.Library()


@register.filter
def variant_label(case) -> str:
    """The case's variant as people read it ("Class II (low risk)", not "II")."""
    return registry.variant_label(case)


@register.simple_tag
def case_content(case) -> dict:
    """{"place", "facts", "plan_svg"} of the case, from its module, in the active language."""
    return registry.decision_content(case)
