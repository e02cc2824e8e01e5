# ruff: noqa: E501 (the template text: long lines of HTML and Chinese)
"""The default contract template (a Django template string), seeded as version 1 of each product's template.

The contract text is the lender's legal document in Chinese (like the carrier-registered SMS texts, it is content,
not UI to translate). Variables: see ``rendering.contract_context``.
"""

DEFAULT_TITLE = "个人借款合同"

DEFAULT_BODY = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }} {{ contract_no }}</title>
<style>
@page { size: A4; margin: 18mm 16mm 20mm; @bottom-center { content: "合同编号 {{ contract_no }}  第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-family: {{ font_family }}; font-size: 8pt; color: #555; } }
body { font-family: {{ font_family }}; font-size: 10pt; line-height: 1.55; color: #111; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 4mm; letter-spacing: 2pt; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm; }
.meta { text-align: right; font-size: 9pt; color: #333; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
th, td { border: 0.4pt solid #777; padding: 1.2mm 2mm; font-size: 9pt; }
th { background: #eee; font-weight: bold; }
td.num, th.num { text-align: right; }
.parties td { border: none; padding: 0.6mm 0; font-size: 10pt; }
.sign td { height: 16mm; vertical-align: top; }
</style></head><body>
<h1>{{ title }}</h1>
<div class="meta">合同编号：{{ contract_no }}　　生成日期：{{ generated_on }}</div>
<h2>一、合同当事人</h2>
<table class="parties">
<tr><td>贷款人（甲方）：{{ lender.name }}</td></tr>
<tr><td>经营许可：{{ lender.licence }}　　统一社会信用代码：{{ lender.credit_code }}</td></tr>
<tr><td>住所：{{ lender.address }}　　客服电话：{{ lender.phone }}</td></tr>
{% for p in parties %}<tr><td>{{ p.role_label }}：{{ p.name }}　　证件号码：{{ p.id_number_masked }}　　手机号码：{{ p.mobile_masked }}</td></tr>
{% endfor %}</table>
<p>根据《中华人民共和国民法典》等法律法规，各方在平等自愿的基础上，就借款事宜达成如下条款，共同遵守。</p>
<h2>二、借款金额、利率与期限</h2>
<table>
<tr><th>借款金额（小写）</th><td class="num">¥{{ amount }}</td><th>借款金额（大写）</th><td>人民币{{ amount_words }}</td></tr>
<tr><th>年利率（单利）</th><td class="num">{{ annual_rate_pct }}%</td><th>年化利率（APR，IRR 法）</th><td class="num">{{ apr_pct }}%</td></tr>
<tr><th>借款期限</th><td class="num">{{ term_months }} 个月</td><th>还款方式</th><td>{{ method_label }}</td></tr>
<tr><th>起息日</th><td class="num">{{ start_date }}</td><th>到期日</th><td class="num">{{ maturity_date }}</td></tr>
<tr><th>借款用途</th><td>{{ purpose_label }}</td><th>产品</th><td>{{ product_name }}</td></tr>
</table>
<p>年化利率（APR）按内部收益率（IRR）法计算：以借款人实际到手金额（借款金额扣除放款时收取的费用）和各期应付款项（本金、利息及按期收取的费用）为现金流，月内部收益率乘以 12。</p>
<h2>三、费用</h2>
{% if fees %}<table><tr><th>费用项目</th><th>收取方式</th><th class="num">金额 / 费率</th></tr>
{% for f in fees %}<tr><td>{{ f.name }}</td><td>{{ f.kind_label }}</td><td class="num">{{ f.text }}</td></tr>{% endfor %}
</table>{% else %}<p>本合同项下贷款人不收取除利息以外的任何费用。</p>{% endif %}
<h2>四、还款计划</h2>
<table><tr><th class="num">期数</th><th>应还日期</th><th class="num">应还本金</th><th class="num">应还利息</th><th class="num">应还合计</th><th class="num">剩余本金</th></tr>
{% for row in schedule %}<tr><td class="num">{{ row.period }}</td><td>{{ row.due_date }}</td><td class="num">{{ row.principal }}</td><td class="num">{{ row.interest }}</td><td class="num">{{ row.payment }}</td><td class="num">{{ row.balance }}</td></tr>
{% endfor %}<tr><th colspan="2">合计</th><th class="num">{{ totals.principal }}</th><th class="num">{{ totals.interest }}</th><th class="num">{{ totals.payment }}</th><th></th></tr>
</table>
<p>计算规则：月利率 = 年利率 ÷ 12，日利率 = 年利率 ÷ {{ day_count }}；每期利息按期初剩余本金计算，每一期的金额按四舍五入（ROUND_HALF_UP）保留至分，最后一期承担全部尾差，本金合计恰等于借款金额；不将还款额向上取整。应还日为起息日之后每月的同一日，当月无该日的为当月最后一日。起息日为实际放款日：实际放款日与本合同所载起息日不同的，各期应还日按实际放款日相应顺延，各期应还金额不变。</p>
<h2>五、逾期罚息与复利</h2>
<p>借款人未按期足额还款的，自应还日次日起{% if grace_days %}（宽限期 {{ grace_days }} 天，宽限期内还款不计罚息）{% endif %}，对逾期本金按罚息利率计收罚息，罚息利率为合同年利率上浮 {{ penalty_markup_pct }}%，即年利率 {{ penalty_rate_pct }}%，按日计算（日罚息利率 = 罚息年利率 ÷ {{ day_count }}）。{% if compound %}对逾期未付的利息，按罚息利率计收复利。{% else %}对逾期未付的利息不计收复利。{% endif %}逾期利息、罚息、复利及费用合计不超过法律规定的上限。</p>
<h2>六、提前还款</h2>
<p>借款人可提前 {{ prepayment.notice_days }} 个工作日通知贷款人后提前偿还全部或部分本金；提前还款时应同时结清已到期的利息。{% if prepayment.fee_rate_pct != "0.00" %}提前还款按提前偿还本金的 {{ prepayment.fee_rate_pct }}% 收取提前还款补偿金。{% else %}提前还款不收取违约金或补偿金。{% endif %}部分提前还款后，剩余本金按原期数重新计算每期还款额（期数不变）。</p>
<h2>七、其他约定</h2>
<p>借款人同意贷款人通过其在本合同预留的手机号码发送还款提醒及相关通知。借款人应按约定用途使用借款，不得用于购房、证券投资等国家禁止的用途。本合同以电子方式订立，借款人及保证人通过短信验证码确认签署，贷款人加盖电子签章（PAdES 数字签名）；电子签署与书面签署具有同等法律效力。因本合同发生的争议，由贷款人住所地人民法院管辖。</p>
{% if guarantors %}<h2>八、保证条款</h2>
<p>保证人自愿为借款人在本合同项下的全部债务（本金、利息、罚息、复利、费用及实现债权的费用）提供连带责任保证，保证期间为主债务履行期届满之日起三年。</p>{% endif %}
<h2>签署</h2>
<table class="sign"><tr><th>当事人</th><th>姓名 / 名称</th><th>签署时间</th><th>签署方式</th></tr>
{% for p in parties %}<tr><td>{{ p.role_label }}</td><td>{{ p.name }}</td><td>{% if p.signed_at %}{{ p.signed_at }}{% else %}（待签署）{% endif %}</td><td>{% if p.signed_at %}短信验证码确认{% if p.sign_ip %}，IP {{ p.sign_ip }}{% endif %}{% else %}—{% endif %}</td></tr>
{% endfor %}<tr><td>贷款人</td><td>{{ lender.name }}</td><td>{% if sealed %}见电子签章{% else %}（待盖章）{% endif %}</td><td>电子签章（数字签名 LenderSeal）</td></tr>
</table>
</body></html>
"""
