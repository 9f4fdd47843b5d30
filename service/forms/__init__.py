"""Forms: Camunda Forms and camunda:formData definitions, and server-side validation of submissions."""
from service.forms.definition import (Field, FormDefinition, FormDefinitionError, Option,
                                      form_from_form_data, parse_camunda_form)
from service.forms.validation import (SubmissionInvalid, html_to_values, validate_or_raise,
                                      validate_submission, visible_fields)

__all__ = [
    "Field", "FormDefinition", "FormDefinitionError", "Option", "SubmissionInvalid", "form_from_form_data",
    "html_to_values", "parse_camunda_form", "validate_or_raise", "validate_submission", "visible_fields",
]
