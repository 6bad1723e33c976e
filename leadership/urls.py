"""Leadership pages, under /o/<org_slug>/leadership/."""

from django.urls import path

from leadership.views import executives, policy, resources, responsibilities

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
]
