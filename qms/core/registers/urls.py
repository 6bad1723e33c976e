"""Pages of every declared register, under /o/<org_slug>/registers/<key>/. URL names are
`registers:<key>`, `registers:<key>-new`, `-import`, `-template`, `-detail`, `-edit`."""

from django.urls import path

from qms.core.registers import views
from qms.core.registers.definition import all_registers

app_name = "registers"

urlpatterns = []
for _register in all_registers():
    _key = {"key": _register.key}
    urlpatterns += [
        path(f"{_register.key}/", views.record_list, _key, name=_register.key),
        path(f"{_register.key}/new/", views.record_new, _key, name=f"{_register.key}-new"),
        path(f"{_register.key}/import/", views.record_import, _key, name=f"{_register.key}-import"),
        path(
            f"{_register.key}/template.csv",
            views.import_template,
            _key,
            name=f"{_register.key}-template",
        ),
        path(
            f"{_register.key}/<int:pk>/",
            views.record_detail,
            _key,
            name=f"{_register.key}-detail",
        ),
        path(
            f"{_register.key}/<int:pk>/edit/",
            views.record_edit,
            _key,
            name=f"{_register.key}-edit",
        ),
    ]
