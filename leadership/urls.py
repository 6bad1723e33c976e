"""Leadership pages, under /o/<org_slug>/leadership/."""

from django.urls import path

from leadership.views import (
    certification,
    competence,
    executives,
    policy,
    processes,
    resources,
    responsibilities,
    training,
)

app_name = "leadership"

urlpatterns = [
    path("policy/", policy.policy_home, name="policy"),
    path("policy/new/", policy.version_new, name="policy-new"),
    path("policy/acknowledge/", policy.acknowledge, name="policy-acknowledge"),
    path("policy/compare/", policy.version_diff, name="policy-diff"),
    path("policy/commitments/new/", policy.commitment_edit, name="commitment-new"),
    path("policy/commitments/<int:pk>/", policy.commitment_edit, name="commitment-edit"),
    path("policy/v<int:number>/", policy.version_detail, name="policy-version"),
    path("policy/v<int:number>/edit/", policy.version_edit, name="policy-edit"),
    path("policy/v<int:number>/submit/", policy.version_submit, name="policy-submit"),
    path("policy/v<int:number>/approve/", policy.version_approve, name="policy-approve"),
    path("policy/v<int:number>/return/", policy.version_return, name="policy-return"),
    path("policy/v<int:number>/publish/", policy.version_publish, name="policy-publish"),
    path("responsibilities/", responsibilities.matrix, name="responsibilities"),
    path(
        "responsibilities/standard/",
        responsibilities.standard_create,
        name="responsibilities-standard",
    ),
    path(
        "responsibilities/new/", responsibilities.responsibility_create, name="responsibility-new"
    ),
    path("responsibilities/assign/", responsibilities.assign, name="assign"),
    path(
        "responsibilities/assignments/<int:pk>/end/",
        responsibilities.assignment_end,
        name="assignment-end",
    ),
    path("resources/", resources.allocation_list, name="resources"),
    path("resources/new/", resources.allocation_new, name="resource-new"),
    path("resources/<int:pk>/", resources.allocation_detail, name="resource-detail"),
    path("resources/<int:pk>/decide/", resources.allocation_decide, name="resource-decide"),
    path("resources/<int:pk>/spend/", resources.spend_new, name="resource-spend"),
    path("executives/", executives.executive_list, name="executives"),
    path("executives/<int:pk>/", executives.executive_detail, name="executive-detail"),
    # Competence and training (7.2)
    path("competence/", competence.matrix, name="competence-matrix"),
    path("competence/competences/", competence.competence_list, name="competences"),
    path("competence/competences/new/", competence.competence_edit, name="competence-new"),
    path(
        "competence/competences/<int:pk>/edit/", competence.competence_edit, name="competence-edit"
    ),
    path(
        "competence/competences/<int:pk>/",
        competence.competence_requirements,
        name="competence-requirements",
    ),
    path("competence/records/", competence.record_list, name="competence-records"),
    path("competence/records/new/", competence.record_new, name="competence-record-new"),
    path(
        "competence/records/<int:pk>/evidence/",
        competence.record_attachment,
        name="competence-record-attachment",
    ),
    path("competence/import/", competence.records_import, name="competence-import"),
    path(
        "competence/import/template.csv",
        competence.import_template,
        name="competence-import-template",
    ),
    path("training/", training.session_list, name="training"),
    path("training/new/", training.session_new, name="training-new"),
    path("training/<int:pk>/", training.session_detail, name="training-detail"),
    path("training/<int:pk>/invite/", training.session_invite, name="training-invite"),
    path("training/<int:pk>/attendance/", training.session_attendance, name="training-attendance"),
    path(
        "training/<int:pk>/evaluate/<int:attendance_pk>/",
        training.attendance_evaluate,
        name="training-evaluate",
    ),
    path("training/<int:pk>/materials/", training.session_materials, name="training-materials"),
    # Processes (4.4) and interested parties (4.2), beyond their registers' pages
    path("processes/", processes.process_map, name="process-map"),
    path("processes/<int:pk>/", processes.process_overview, name="process-overview"),
    path("interested-parties/kinds/", processes.party_kinds, name="party-kinds"),
    # The certificate
    path("certificate/", certification.certificate_page, name="certificate"),
    path("certificate/new/", certification.certificate_edit, name="certificate-new"),
    path("certificate/<int:pk>/edit/", certification.certificate_edit, name="certificate-edit"),
    path(
        "certificate/<int:certificate_pk>/audits/new/",
        certification.audit_edit,
        name="certification-audit-new",
    ),
    path(
        "certificate/<int:certificate_pk>/audits/<int:pk>/",
        certification.audit_edit,
        name="certification-audit-edit",
    ),
]
