title-sign-up = إنشاء حساب · { $school }
title-log-in = تسجيل الدخول · { $school }
signup-heading = أنشئ حسابك في { $school }
signup-sso-only = تسجّل { $school } دخول أعضائها عبر مزوّد الهوية الخاص بها: استخدم الزر أعلاه. يُنشأ حسابك في المرة الأولى.
field-name = الاسم
field-email = البريد الإلكتروني
field-password = كلمة المرور
password-rule = (١٠ أحرف على الأقل)
have-account = لديك حساب بالفعل؟
login-heading = سجّل الدخول إلى { $school }
login-admins-can = يمكن للمسؤولين
login-with-password = تسجيل الدخول بكلمة مرور
login-password-for-admins = تسجيل الدخول بكلمة المرور هنا مخصص لمسؤولي المدرسة.
login-or-password = أو سجّل الدخول ببريدك الإلكتروني وكلمة المرور:
forgot-password = نسيت كلمة المرور؟
new-here = جديد هنا؟
create-account = أنشئ حسابًا
sso-list = تسجيل الدخول الموحد
sso-sign-in-with = تسجيل الدخول عبر { $provider }

reset-sent = إذا كان لـ { $email } حساب في { $school }، فإن رابطًا لاختيار كلمة مرور جديدة في طريقه إليك. يعمل مرة واحدة، لمدة ٣٠ دقيقة.
forgot-intro = أدخل البريد الإلكتروني لحسابك وسنرسل إليك رابطًا لاختيار كلمة مرور جديدة.
mail-me-a-link = أرسل لي رابطًا
back-to-log-in = العودة إلى تسجيل الدخول
choose-new-password = اختر كلمة مرور جديدة
reset-for = للحساب { $email } في { $school }. سيُسجَّل خروج كل جهاز مسجّل الدخول بهذا الحساب.
field-new-password = كلمة المرور الجديدة
set-my-password = احفظ كلمة المرور

your-account = حسابك
email-confirmed = تم تأكيد بريدك الإلكتروني.
email-unconfirmed = لم يتم تأكيد بريدك الإلكتروني بعد.
email-unconfirmed-required = لم يتم تأكيد بريدك الإلكتروني بعد: تطلب { $school } تأكيده قبل الالتحاق.
new-link-on-its-way = رابط جديد في طريقه إليك.
mail-me-a-new-link = أرسل لي رابطًا جديدًا
language = اللغة
language-choice = لغة صفحاتك ورسائلك
save = حفظ
change-email = غيّر بريدك الإلكتروني
email-change-sent = رابط التأكيد في طريقه إلى العنوان الجديد. إلى أن يُفتح، يبقى حسابك على { $email }.
field-new-address = العنوان الجديد
field-your-password = كلمة مرورك
send-confirmation-link = أرسل رابط التأكيد
your-data = بياناتك
download-my-data = نزّل كل ما تحتفظ به { $school } عنك (JSON)
delete-account-password = احذف حسابي: أدخل كلمة المرور
delete-account-for-good = احذف حسابي نهائيًا

join-school = انضم إلى { $school }
invited-as = أنت مدعو بصفة { $role ->
    [admin] مسؤول
    [instructor] مدرّس
   *[learner] متعلّم
} بالبريد { $email }.
invited-courses = ستلتحق { $count ->
    [one] بدورة واحدة
    [two] بدورتين
    [few] بـ{ $count } دورات
   *[other] بـ{ $count } دورة
}.
field-choose-password = اختر كلمة مرور
create-my-account = أنشئ حسابي

unsubscribe = إلغاء الاشتراك
unsubscribe-heading = إلغاء الاشتراك في الإعلانات
unsubscribe-question = هل تريد التوقف عن تلقي إعلانات هذه الدورة بالبريد؟ ستبقى ملتحقًا بها.
signed-out = تم تسجيل الخروج
signed-out-of = تم تسجيل خروجك من { $school }
signing-out-of-provider = يجري الآن تسجيل خروجك من { $provider } أيضًا.
if-nothing-happens = إذا لم يحدث شيء،
continue-to = تابِع إلى { $provider }
back-to = العودة إلى { $school }

invitation-gone-title = هذه الدعوة لم تعد صالحة
invitation-gone = قُبلت من قبل أو انتهت صلاحيتها. اطلب دعوة جديدة من المدرسة.
account-deleted-title = تم حذف حسابك
account-deleted = أُزيل من هذه المدرسة كل ما كان يدل على هويتك.
address-confirmed-title = تم تأكيد العنوان
address-confirmed = شكرًا لك: تم تأكيد بريدك الإلكتروني.
link-gone-title = هذا الرابط لم يعد صالحًا
verify-link-gone = استُخدم من قبل أو انتهت صلاحيته. سجّل الدخول واطلب رابطًا جديدًا من صفحة حسابك.
address-changed-title = تم تغيير العنوان
address-changed = يستخدم حسابك العنوان الجديد من الآن.
address-taken-title = العنوان مستخدم
address-taken = حساب آخر هنا يستخدم هذا العنوان الآن؛ لم يتغير عنوانك.
email-link-gone = استُخدم من قبل أو انتهت صلاحيته. اطلبه مرة أخرى من صفحة حسابك.
reset-link-gone = رابط إعادة التعيين يعمل مرة واحدة، لمدة ٣٠ دقيقة. اطلب رابطًا جديدًا من صفحة تسجيل الدخول.
unsubscribed-title = تم إلغاء الاشتراك
unsubscribed = لن تصلك إعلانات أخرى من هذه الدورة.
error-language-not-offered = اختر إحدى لغات المدرسة.
notice-password-changed = تم تغيير كلمة مرورك، وسُجّل خروج كل الأجهزة. سجّل الدخول بكلمة المرور الجديدة.
