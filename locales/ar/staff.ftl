your-courses = دوراتك
new-course = دورة جديدة
members-and-roles = الأعضاء والأدوار
title = العنوان
status = الحالة
changed = آخر تعديل
published = منشورة
draft = مسودة
no-courses-yours = لا توجد دورات بعد.
learners = المتعلّمون
learners-of = متعلّمو { $course }
enrolled-count = عدد الملتحقين: { $count }
download-csv = تنزيل بصيغة CSV
enrolled = تاريخ الالتحاق
progress = التقدّم
last-active = آخر نشاط
done-of-total = { $done } من { $total } ({ $percent }٪)
lessons-done-of-total = { $done } من { $total } دروس ({ $percent }٪)
nobody-enrolled = لم يلتحق أحد بعد.
name-or-email = الاسم أو البريد الإلكتروني
role = الدور
role-name = { $role ->
    [admin] مسؤول
    [instructor] مدرّس
   *[learner] متعلّم
}
role-yours = { $role ->
    [admin] مسؤول
    [instructor] مدرّس
   *[learner] متعلّم
} (أنت)
role-of = دور { $name }
set-role = تعيين الدور
joined = تاريخ الانضمام
joined-on = انضم في { $date }
suspended = موقوف
confirmed = مؤكَّد
unconfirmed = غير مؤكَّد
nobody = لا أحد.
nobody-matches = لا أحد يطابق «{ $q }».
next-page = الصفحة التالية
address-confirmed-state = العنوان مؤكَّد
address-not-confirmed-state = العنوان غير مؤكَّد
course = الدورة
actions = الإجراءات
remove-from-course = إزالة من الدورة
not-enrolled-anywhere = غير ملتحق بأي دورة.
account = الحساب
reinstate = إعادة التفعيل
suspend-everywhere = إيقاف (يُسجّل خروجه من كل مكان)
download-their-data = تنزيل بياناته (JSON)
erase-account-password = محو هذا الحساب: كلمة مرورك
erase-account = محو الحساب

admin-learners-link = المتعلّمون وتقدّمهم
api-tokens = رموز الواجهة البرمجية
webhooks = خطافات الويب
webhook = خطاف ويب
audit-log = سجل التدقيق
school-settings = إعدادات المدرسة
invite-someone = ادعُ شخصًا
invite-courses-field = الالتحاق بدورات (معرّفات تفصل بينها مسافات)
send-invitation = أرسل الدعوة
invite-many = ادعُ كثيرين من ملف CSV
invite-csv-help = شخص واحد في كل سطر (الدور والدورات اختيارية؛ الدورات معرّفات تفصل بينها مسافات؛ يُسمح بسطر عناوين):
csv-file = ملف CSV
send-invitations = أرسل الدعوات
invitations = الدعوات
invitations-sent = { $count ->
    [zero] لم تُرسل أي دعوة.
    [one] أُرسلت دعوة واحدة.
    [two] أُرسلت دعوتان.
    [few] أُرسلت { $count } دعوات.
   *[other] أُرسلت { $count } دعوة.
}
rows-not-sent = { $count ->
    [one] سطر واحد لم يُرسل:
    [two] سطران لم يُرسلا:
    [few] { $count } أسطر لم تُرسل:
   *[other] { $count } سطرًا لم يُرسل:
}
invitations-not-sent = { $count ->
    [one] دعوة واحدة لم تُرسل:
    [two] دعوتان لم تُرسلا:
    [few] { $count } دعوات لم تُرسل:
   *[other] { $count } دعوة لم تُرسل:
}
line = السطر
reason = السبب
back-to-members = العودة إلى الأعضاء

api-intro = تستدعي أنظمة مدرستك الواجهة البرمجية برمز حامل. يعمل الرمز في هذه المدرسة فقط، وبما تسمح به نطاقاته، إلى أن تنتهي صلاحيته أو يُلغى.
copy-token-now = انسخ هذا الرمز الآن: لن يُعرض مرة أخرى.
new-token = رمز جديد
token-name = الاسم (الغرض منه)
scopes = النطاقات
token-days = تنتهي صلاحيته بعد (أيام؛ فارغ: أبدًا)
create-token = أنشئ الرمز
tokens = الرموز
starts-with = يبدأ بـ
created = تاريخ الإنشاء
state = الحالة
revoked-on-day = أُلغي في { $date }
expires-on = تنتهي صلاحيته في { $date }
no-expiry = بلا انتهاء
revoke = إلغاء
no-tokens = لا توجد رموز بعد.

webhooks-intro = تعرف أنظمتك ما يحدث في { $school }: يُرسل كل حدث بصيغة JSON عبر POST، موقّعًا كما تنص مواصفة Standard Webhooks، ويُعاد إرساله حتى تجيب نقطة الاستقبال بـ 2xx.
copy-secret-now = انسخ سرّ التوقيع هذا الآن: لن يُعرض مرة أخرى.
new-endpoint = نقطة استقبال جديدة
url = العنوان
events = الأحداث
add-endpoint = أضف نقطة استقبال
endpoints = نقاط الاستقبال
disabled-since = معطّلة منذ { $date }
failing-in-a-row = تفشل ({ $count } على التوالي)
active = نشطة
no-endpoints = لا توجد نقاط استقبال بعد.
events-list = الأحداث: { $events }.
disabled-since-after = معطّلة منذ { $date } بعد { $count ->
        [one] محاولة فاشلة واحدة
        [two] محاولتين فاشلتين
        [few] { $count } محاولات فاشلة
       *[other] { $count } محاولة فاشلة
    } على التوالي. آخرها:
failing-attempts = تفشل: { $count ->
        [one] محاولة فاشلة واحدة
        [two] محاولتان فاشلتان
        [few] { $count } محاولات فاشلة
       *[other] { $count } محاولة فاشلة
    } على التوالي.
active-sentence = نشطة.
previous-secret-until = يظل السرّ السابق يوقّع حتى { $date }.
copy-new-secret-now = انسخ سرّ التوقيع الجديد الآن: لن يُعرض مرة أخرى.
old-secret-overlap = يظل القديم يوقّع (توقيعًا ثانيًا) لمدة يوم، ليتمكن مستقبِلك من التحوّل.
rotate-secret = تجديد السرّ
enable = تفعيل
delete-endpoint = حذف نقطة الاستقبال
deliveries = عمليات التسليم
made = وقت الإنشاء
event = الحدث
attempts = المحاولات
last-answer = آخر رد
latency = زمن الاستجابة
next-attempt = المحاولة التالية
delivery-status = { $status ->
    [delivered] سُلّم
    [failed] فشل
   *[pending] قيد الانتظار
}
milliseconds = { $n } ملّي ثانية
redeliver = أعد التسليم
nothing-sent-yet = لم يُرسل شيء بعد.
older-deliveries = عمليات تسليم أقدم

action = الإجراء
any = الكل
who = من
what = ماذا
subject = الموضوع
change = التغيير
from = المصدر
nothing-on-record = لا شيء مسجّل.
nothing-for-filter = لا شيء مسجّل لعامل التصفية هذا.

sso-intro = يسجّل أعضاؤك الدخول عبر مزوّد الهوية الخاص بمدرستك (OpenID Connect أو SAML 2.0): زر لكل مزوّد في صفحة تسجيل الدخول. ينشئ أول تسجيل دخول الحساب بالدور الذي تُطابقه بياناته؛ ولا يُربط حساب موجود إلا إذا أكّد المزوّد أن البريد الإلكتروني موثَّق.
providers = المزوّدون
button = الزر
issuer = الجهة المُصدِرة
client-id = معرّف العميل
roles = الأدوار
domains = النطاقات
saml-idp = مزوّد هوية SAML
give-idp-sp-metadata = أعطِ مزوّد الهوية هذه البيانات الوصفية لمزوّد الخدمة:
emails-trusted = عناوين البريد موثوقة كمؤكَّدة
emails-not-trusted = عناوين البريد غير موثوقة
redirect-uri-to-register = عنوان إعادة التوجيه المطلوب تسجيله:
secret-saved = السرّ محفوظ (لا يُعرض)
otherwise-role = وإلا { $role ->
    [admin] مسؤول
    [instructor] مدرّس
   *[learner] متعلّم
}
any-domain = أي نطاق
set-by-school-file = محدد في ملف المدرسة
remove = إزالة
no-providers = لا يوجد مزوّدون بعد.
add-or-change-provider = أضف مزوّدًا أو غيّره
oidc-register-help = لتغيير مزوّد، استخدم اسمه؛ اترك السرّ فارغًا للاحتفاظ بالمحفوظ. سجّل عنوان إعادة التوجيه الخاص به وعنوان ما بعد تسجيل الخروج:
provider-name-field = الاسم (في عناوينه: أحرف لاتينية صغيرة وأرقام و'-')
button-label-field = نص الزر («تسجيل الدخول عبر …»)
issuer-url = عنوان الجهة المُصدِرة
client-secret = سرّ العميل
scopes-field = النطاقات (تفصل بينها مسافات؛ فارغ: openid email profile)
role-claim-field = مطالبة الدور (مثل groups؛ فارغ: يحصل الجميع على الدور الافتراضي)
role-map-field = مطابقة الأدوار، سطر «قيمة = دور» لكل مدخل (يُعتمد أعلى دور مطابق)
default-role = الدور الافتراضي
allowed-domains-field = نطاقات البريد المسموحة (تفصل بينها مسافات؛ فارغ: أي نطاق)
save-provider = احفظ المزوّد
add-or-change-saml = أضف مزوّد SAML 2.0 أو غيّره
saml-register-help = أعطِ مزوّد الهوية البيانات الوصفية لمزوّد الخدمة (يجب أن تكون ردوده أو تأكيداته موقّعة بالشهادة التي تذكرها بياناته الوصفية):
idp-metadata-field = البيانات الوصفية لمزوّد الهوية (XML)
idp-metadata-url-field = …أو العنوان المنشورة عليه
role-attribute-field = سمة الدور (مثل groups)
email-trusted-field = عناوين البريد لدى مزوّد الهوية هذا مؤكَّدة (يُربط الحساب الموجود بالعنوان نفسه)
save-saml-provider = احفظ مزوّد SAML
sso-only-heading = تسجيل الدخول الموحد فقط
sso-only-field = إنشاء الحسابات وتسجيل الدخول بكلمة المرور متوقفان؛ يسجّل الأعضاء الدخول عبر مزوّد.
sso-only-admins = يظل بإمكان المسؤولين تسجيل الدخول بكلمة المرور (تربط صفحة تسجيل الدخول إليها)، فلا تُقفل المدرسة أبدًا إذا تعطّل مزوّدها.

edit-title = تعديل { $title }
edit-quoted = تعديل «{ $title }»
view-page = عرض الصفحة
correct-fields = يُرجى تصحيح الحقول المحددة أدناه.
course-slug-field = المعرّف (عنوان الويب؛ اتركه فارغًا لاشتقاقه من العنوان)
summary = الملخص
description = الوصف
markdown-note = (Markdown)
tags-field = الوسوم (تفصل بينها فواصل)
level-field = المستوى
duration-field = المدة (بالدقائق)
enrollment-cap-field = الحد الأقصى للالتحاق (متعلّمون؛ فارغ: بلا حد)
enrollment-closes-field = ينتهي الالتحاق في
utc-empty-never = (بالتوقيت العالمي؛ فارغ: أبدًا)
prerequisites-field = المتطلبات السابقة (معرّفات دورات هذه المدرسة التي يجب إكمالها أولًا، تفصل بينها فواصل)
cover-image = صورة الغلاف
current-cover = الغلاف الحالي
create-draft = أنشئ مسودة
roster-link = من الملتحقون، وإلى أين وصل كل منهم
announce-heading = أعلن للمتعلّمين الملتحقين
message = الرسالة
mail-to-learners = أرسلها إلى المتعلّمين
publishing = النشر
published-note = منشورة: يراها المتعلّمون في الفهرس.
unpublish = إلغاء النشر
draft-note = مسودة: لا يراها هنا إلا المدرّسون والمسؤولون.
publish = انشر
sections-and-lessons = الأقسام والدروس
section-title = عنوان القسم
opens-days-after = يُفتح بعد هذا العدد من الأيام من الالتحاق:
days-after-enrollment = الأيام بعد الالتحاق
not-before-utc = ليس قبل (بالتوقيت العالمي)
opening-date-utc = تاريخ الفتح (بالتوقيت العالمي)
move-section-up = انقل القسم لأعلى
move-section-down = انقل القسم لأسفل
delete = حذف
move-lesson-up = انقل الدرس لأعلى
move-lesson-down = انقل الدرس لأسفل
add-a-lesson = أضف درسًا
new-section = قسم جديد
add-section = أضف قسمًا
instructors = المدرّسون
owner-paren = (المالك)
assign-instructor = عيّن مدرّسًا بالبريد الإلكتروني
assign = تعيين

new-lesson = درس جديد
edit-lesson-quoted = تعديل الدرس «{ $title }»
lesson-slug-field = المعرّف (اتركه فارغًا لاشتقاقه من العنوان)
text = النص
free-preview-field = معاينة مجانية (يمكن لأي أحد مشاهدتها)
optional-field = اختياري (غير مطلوب لإكمال الدورة)
gift-field = الأسئلة بصيغة GIFT من Moodle
gift-field-note = (اتركه فارغًا لدرس نصي أو فيديو)
pass-mark-field = درجة النجاح (٪)
attempts-field = عدد المحاولات المسموحة (فارغ: بلا حد)
shuffle-field = اخلط الأسئلة والخيارات
export-gift = صدّر بصيغة GIFT
preview = معاينة
not-saved-yet = (لم يُحفظ بعد)
no-questions = لا أسئلة: هذا الدرس ليس اختبارًا.
question-type = { $type ->
    [true_false] صح/خطأ
    [single] اختيار واحد
    [multiple] اختيار متعدد
    [short] إجابة قصيرة
   *[numeric] رقمي
}
answer-is = الإجابة:
always-shown = يُعرض دائمًا:
has-hls = لهذا الدرس سلّم HLS.
video = الفيديو
hls-ladder = سلّم HLS
hls-note = (ملف zip لقوائم التشغيل والمقاطع)
remove-video = أزل الفيديو
save-lesson = احفظ الدرس
add-lesson = أضف الدرس
preview-quiz = عاين أسئلة الاختبار

languages-offered = اللغات التي تقدّمها المدرسة
default-language = اللغة الافتراضية (للصفحات والرسائل لمن لم يختر لغة)
accent-colour = اللون المميّز
accent-colour-help = تعرض الأزرار نصًا أبيض عليه وتُكتب الروابط به، لذا يجب أن يبلغ تباينه ٤٫٥:١ مع كليهما.
formats-image = (JPEG أو PNG أو WebP أو AVIF أو GIF)
formats-video = (MP4 أو WebM)
saml-acs = عنوان ACS الخاص به (HTTP-POST):

# The audit log's actions, by their code (`.` written as `-`).
audit-member-role = تغيير دور عضو
audit-member-invited = دعوة شخص
audit-member-created = إنشاء حساب من دعوة
audit-learner-suspended = إيقاف متعلّم
audit-learner-reinstated = إعادة تفعيل متعلّم
audit-learner-removed = إزالة متعلّم من دورة
audit-learner-exported = تنزيل بيانات متعلّم
audit-learner-erased = محو متعلّم
audit-course-published = نشر دورة
audit-course-unpublished = إلغاء نشر دورة
audit-course-section_deleted = حذف قسم
audit-course-lesson_deleted = حذف درس
audit-course-instructor_assigned = تعيين مدرّس
audit-course-instructor_removed = إزالة مدرّس
audit-certificate-revoked = إلغاء شهادة
audit-certificate-restored = استعادة شهادة
audit-quiz-imported = استيراد اختبار
audit-school-created = إنشاء المدرسة
audit-school-updated = تعديل المدرسة من المشغّل
audit-school-suspended = إيقاف المدرسة
audit-school-resumed = استئناف المدرسة
audit-school-exported = تصدير المدرسة
audit-school-imported = استيراد المدرسة
audit-school-restored = استعادة المدرسة من نسخة احتياطية
audit-school-moved = نقل المدرسة إلى عنقود قواعد بيانات آخر
audit-token-created = إنشاء رمز واجهة برمجية
audit-token-revoked = إلغاء رمز واجهة برمجية
audit-webhook-added = إضافة نقطة استقبال
audit-webhook-rotated = تجديد سرّ خطاف الويب
audit-webhook-enabled = تفعيل نقطة استقبال
audit-webhook-removed = إزالة نقطة استقبال
audit-webhook-redelivered = إعادة تسليم حدث
audit-sso-provider_added = إضافة مزوّد هوية
audit-sso-provider_changed = تعديل مزوّد هوية
audit-sso-provider_removed = إزالة مزوّد هوية
audit-sso-only_changed = تغيير خيار تسجيل الدخول الموحد فقط
audit-school-look_changed = تغيير اللغات أو اللون

field-required = حقل مطلوب.
field-at-most-chars = { $max } حرف على الأكثر.
field-control-chars = يحتوي على أحرف تحكّم.
field-slug-rule = استخدم أحرفًا لاتينية صغيرة وأرقامًا وشرطات مفردة ({ $max } على الأكثر).
field-choose-category = اختر أحد تصنيفات المدرسة.
field-not-a-tag = «{ $tag }» ليس وسمًا: أحرف لاتينية صغيرة وأرقام وشرطات.
field-at-most-tags = { $max } وسوم على الأكثر.
field-choose-level = اختر مستوى.
field-minutes = عدد صحيح من الدقائق.
field-cap = عدد صحيح من المتعلّمين، ١ على الأقل (أو فارغ: بلا حد).
field-closes-at = تاريخ ووقت بصيغة YYYY-MM-DDTHH:MM بالتوقيت العالمي (أو فارغ: أبدًا).
field-not-a-course-slug = «{ $slug }» ليس معرّف دورة: أحرف لاتينية صغيرة وأرقام وشرطات.
field-at-most-prerequisites = { $max } متطلبات سابقة على الأكثر.
field-days = عدد صحيح من الأيام من ١ إلى ٣٦٥٠ (أو فارغ: فورًا).
field-opens-at = تاريخ ووقت بصيغة YYYY-MM-DDTHH:MM بالتوقيت العالمي (أو فارغ).
field-course-slug-taken = دورة أخرى تستخدم هذا المعرّف بالفعل.
field-lesson-slug-taken = درس آخر في هذه الدورة يستخدم هذا المعرّف.
field-choose-language = اختر اللغة التي كُتبت بها الدورة.
course-language-field = اللغة التي كُتبت بها الدورة
captions = الترجمة النصية
captions-field = الترجمة النصية (WebVTT، ملف لكل لغة)
captions-lang-field = لغة هذه الترجمة
captions-existing = الترجمات النصية لهذا الدرس:
remove-captions = إزالة
transcript-field = النص الكامل (اختياري، يظهر أسفل المشغّل)

# The GIFT parser's complaints (lesson editor, `eduflow quiz import`), each naming its line.
gift-too-long = السطر { $line }: النص أطول من { $max } بايت.
gift-too-many-questions = السطر { $line }: يتسع الاختبار لـ{ $max } سؤال على الأكثر.
gift-no-questions = السطر { $line }: لا توجد أسئلة.
gift-title-not-closed = السطر { $line }: عنوان السؤال (::title::) غير مغلق.
gift-no-answers = السطر { $line }: يحتاج السؤال إلى إجاباته بين {"{ }"} (الأوصاف غير مدعومة).
gift-answers-not-closed = السطر { $line }: القوس {"{"} الذي يفتح الإجابات لم يُغلق.
gift-one-answer-set = السطر { $line }: لا تُدعم إلا مجموعة إجابات واحدة {"{ }"} لكل سؤال.
gift-no-text = السطر { $line }: السؤال بلا نص.
gift-weight-syntax = السطر { $line }: يُكتب الوزن هكذا %50% (نسبة مئوية بين علامتي %).
gift-weight-range = السطر { $line }: الوزن نسبة مئوية بين -100 و100.
gift-essay = السطر { $line }: أسئلة المقال ({"{}"}) غير مدعومة.
gift-matching = السطر { $line }: أسئلة المطابقة (->) غير مدعومة.
gift-answer-marks = السطر { $line }: تبدأ الإجابات بـ = (صحيحة) أو ~ (خاطئة)، أو يكون السؤال T أو F.
gift-too-many-answers = السطر { $line }: يقدّم السؤال { $max } إجابة على الأكثر.
gift-empty-answer = السطر { $line }: إحدى الإجابات فارغة.
gift-no-right-answer = السطر { $line }: لا توجد إجابة صحيحة: علّم واحدة بـ =، أو أعطِ الإجابات الصحيحة وزنًا (~%50%).
gift-weights-total = السطر { $line }: مجموع الأوزان الموجبة لسؤال متعدد الإجابات 100%، لا { $total }%.
gift-one-right-answer = السطر { $line }: لسؤال الاختيار من متعدد إجابة صحيحة واحدة (=)؛ ولأكثر من واحدة أعطِها أوزانًا (~%50%).
gift-not-a-number = السطر { $line }: «{ $text }» ليس عددًا ولا عددًا:سماحية ولا مدى أدنى..أقصى.
gift-numeric-syntax = السطر { $line }: تُكتب الإجابات العددية هكذا {"{"}#=3.14:0.01 =%50%3:0.5{"}"}.
quiz-pass-mark-invalid = نسبة مئوية صحيحة من 0 إلى 100.
quiz-max-attempts-invalid = عدد صحيح من 1 إلى 100 (أو فارغ: بلا حد).

# A sign-in provider's settings, checked alike on /admin/sso and in the school file.
sso-provider-name-invalid = ‏`{ $name }` ليس اسم مزوّد: من 1 إلى 40 حرفًا لاتينيًا صغيرًا أو رقمًا أو '-'
sso-issuer-entity-id = يجب أن يكون المُصدِر هو entityID في بيانات IdP الوصفية
sso-label-length = نص الزر من 1 إلى 80 حرفًا
sso-issuer-not-url = المُصدِر ليس عنوان URL ({ $reason })
sso-issuer-https = يجب أن يكون المُصدِر عنوانًا يبدأ بـ https://
sso-issuer-no-query = يجب ألا يحتوي المُصدِر على ?query أو #fragment
sso-client-id-length = معرّف العميل من 1 إلى 500 حرف
sso-client-secret-length = سر العميل 500 حرف على الأكثر
sso-scopes-openid = يجب أن تتضمن النطاقات `openid`
sso-scopes-words = النطاقات كلمات بلا مسافات
sso-not-a-domain = ‏`{ $domain }` ليس نطاق بريد إلكتروني
sso-metadata-not-saml = بيانات IdP الوصفية ليست بيانات SAML وصفية ({ $reason })
sso-metadata-no-entity = لا تحتوي بيانات IdP الوصفية على entityID
sso-metadata-no-redirect = لا تحتوي بيانات IdP الوصفية على SingleSignOnService بربط HTTP-Redirect
sso-metadata-no-certificate = لا تذكر بيانات IdP الوصفية شهادة توقيع
sso-role-line = ‏`{ $line }` ليس على صيغة `قيمة المطالبة = الدور`
sso-not-a-role = ‏`{ $role }` ليس دورًا (learner أو instructor أو admin)
