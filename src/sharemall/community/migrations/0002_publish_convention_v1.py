"""Publishes version 1 of the community convention (社区公约). Later versions are published by
operators from the back office; this text stays on record as version 1."""

from django.db import migrations

TEXT = """分享商城社区公约

分享商城是买家分享真实购物体验的地方。为了让每一篇晒单都值得信任，我们依据《网络信息内容生态治理规定》等法律法规制定本公约。发布晒单、评论，以及使用分享、举报、申诉等功能，即表示你同意遵守本公约。

一、禁止发布的内容（共九类，举报与处理均引用其中一类）

1. 违法违规内容：违反宪法和法律法规的内容，例如宣扬暴力、赌博、毒品，售卖假冒伪劣或违禁商品，侵犯他人隐私、肖像、知识产权。
2. 不友善行为：蔑视、诽谤、嘲讽、挑衅、侮辱、谩骂、歧视、威胁他人，例如因地域、性别、职业攻击他人，或在评论区辱骂晒单作者。
3. 垃圾广告：重复发布广告，多账号协同刷屏，发布欺诈或诱导跳转的链接，虚假互动，伪装成体验分享的硬广，例如多个账号粘贴同一段品牌文案、在评论里留微信号招代理。
4. 低俗内容：色情、性暗示、血腥、恶心的图片或文字，例如借商品展示刻意暴露身体。
5. 虚假信息与冒充：编造不存在的购物体验，夸大或虚构功效，冒充官方、商家、名人或他人身份，例如没有收到商品却发布"亲测有效"。
6. 封建迷信：宣扬算命、风水改运、"开光"、"转运"等迷信内容，或借此推销商品。
7. 标题党：用夸张、惊悚、与内容不符的标题或图片骗取点击，例如"不看后悔一辈子""震惊！"。
8. 饭圈乱象：诱导未成年人应援集资、组织刷量控评、引战互撕、人肉搜索、买卖互动数据。
9. 其他危害，包括危害未成年人：诱导未成年人消费、打赏，展示未成年人不安全行为，以及其他破坏社区秩序、危害他人身心健康的内容。

二、处理阶梯

违反公约的内容会被隐藏，并视情节对账号逐级处理：
警告 → 禁言1天 → 禁言7天 → 禁言15天 → 永久禁言 → 封号。
平台根据你仍然有效的处罚记录给出下一级建议，由运营人员决定。利用多个账号违规、危害未成年人的，从重处理，可以直接跳过若干级。
被禁言期间不能发布晒单和评论，页面会提示禁言到何时；但你仍然可以正常购物、付款、申请售后，已经赚到的佣金照常结算和提现。
封号后账号不能再登录；已有的订单、账目和收益依法保留，不会被抹去。

三、申诉

每一项处理（隐藏晒单、隐藏评论、警告、禁言、封号）都可以申诉一次：在"我的 → 处罚与申诉"中写明理由即可。
申诉由另一位运营人员复核，作出处理的人不会复核自己的决定。复核结果（维持或撤销）会通知你，并显示在"处罚与申诉"页面。处理被撤销的，禁言立即解除，被隐藏的内容恢复显示，被封的账号恢复登录。

四、举报

看到违反公约的晒单或评论，请点击"举报"并选择对应的类别，必要时写几句说明。每人对同一内容只能举报一次。恶意举报同样违反公约。

本公约可能随法律法规和社区情况修订，修订后的版本自发布之日起生效，历史版本可随时查阅。"""


def publish(apps, schema_editor):
    ConventionVersion = apps.get_model("community", "ConventionVersion")
    if not ConventionVersion.objects.exists():
        ConventionVersion.objects.create(version=1, text=TEXT)


def unpublish(apps, schema_editor):
    apps.get_model("community", "ConventionVersion").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("community", "0001_convention_penalties_appeals")]

    operations = [migrations.RunPython(publish, unpublish)]
