"""Mounted at /wechat-sim/ only under WECHAT_SANDBOX (config/urls.py). Paths after the prefix
are WeChat's own, so a client pointed at this base URL calls exactly what it would in
production; /api/… are the simulator's helpers."""

from django.urls import path

from sharemall.wechat_sim import api, pages

app_name = "wechat_sim"

urlpatterns = [
    path("", pages.index, name="index"),
    # api.weixin.qq.com
    path("cgi-bin/token", api.token, name="token"),
    path("cgi-bin/ticket/getticket", api.getticket, name="getticket"),
    path("cgi-bin/qrcode/create", api.qrcode_create, name="qrcode_create"),
    path("cgi-bin/user/info", api.user_info, name="user_info"),
    path("cgi-bin/message/subscribe/bizsend", api.subscribe_bizsend, name="bizsend"),
    path("cgi-bin/message/subscribe/send", api.subscribe_send, name="subscribe_send"),
    path("sns/oauth2/access_token", api.sns_access_token, name="sns_access_token"),
    path("sns/oauth2/refresh_token", api.sns_refresh_token, name="sns_refresh_token"),
    path("sns/userinfo", api.sns_userinfo, name="sns_userinfo"),
    path("sns/auth", api.sns_auth, name="sns_auth"),
    path("sns/jscode2session", api.jscode2session, name="jscode2session"),
    path("wxa/business/getuserphonenumber", api.getuserphonenumber, name="phonenumber"),
    path("wxa/getwxacodeunlimit", api.getwxacodeunlimit, name="wxacode"),
    path("cgi-bin/component/api_component_token", api.component_token, name="component_token"),
    path(
        "cgi-bin/component/api_create_preauthcode",
        api.create_preauthcode,
        name="create_preauthcode",
    ),
    path("cgi-bin/component/api_query_auth", api.query_auth, name="query_auth"),
    path("cgi-bin/component/api_authorizer_token", api.authorizer_token, name="authorizer_token"),
    path(
        "cgi-bin/component/api_get_authorizer_info",
        api.get_authorizer_info,
        name="get_authorizer_info",
    ),
    # open.weixin.qq.com and mp.weixin.qq.com: pages a browser is sent to
    path("connect/oauth2/authorize", pages.authorize, name="authorize"),
    path("cgi-bin/componentloginpage", pages.component_login, name="component_login"),
    path("cgi-bin/showqrcode", pages.showqrcode, name="showqrcode"),
    path("q/<str:ticket>", pages.scan, name="scan"),
    path("avatar/<int:user_id>.svg", pages.avatar, name="avatar"),
    # the simulator's helpers
    path("api/users", api.users, name="api_users"),
    path("api/users/<int:user_id>/templates", api.user_templates, name="api_user_templates"),
    path("api/mp-login-code", api.mp_login_code, name="api_mp_login_code"),
    path("api/phone-code", api.phone_code, name="api_phone_code"),
    path("api/messages", api.messages, name="api_messages"),
    path("api/state", api.state, name="api_state"),
    path("api/push", api.push_event, name="api_push"),
    path("api/component-ticket", api.component_ticket, name="api_component_ticket"),
]
