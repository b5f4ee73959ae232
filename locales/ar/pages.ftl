skip-to-content = انتقل إلى المحتوى
nav-main = القائمة الرئيسية
nav-courses = الدورات
nav-languages = اللغات
nav-authoring = التأليف
nav-members = الأعضاء
footer-powered = { $school } · يعمل بواسطة EduFlow
my-learning = تعلّمي
log-in = تسجيل الدخول
log-out = تسجيل الخروج
sign-up = إنشاء حساب
list-separator = {"، "}
pages = الصفحات
previous = السابق
next = التالي
lessons = الدروس
tags = الوسوم
percent = { $n }٪

title-courses = الدورات · { $school }
title-my-learning = تعلّمي · { $school }
search-courses = ابحث في الدورات
search-placeholder = ماذا تريد أن تتعلم؟
search = بحث
categories = التصنيفات
category = التصنيف
all-categories = كل التصنيفات
newest-courses = أحدث الدورات
browse-all-courses = تصفّح كل الدورات
no-courses-yet = لا توجد دورات بعد — عُد قريبًا.
filter = تصفية
clear-filters = مسح عوامل التصفية
tagged = الوسوم:
no-courses-match = لا توجد دورات تطابق عوامل التصفية هذه.

level = { $level ->
    [beginner] مبتدئ
    [intermediate] متوسط
    [advanced] متقدم
   *[other] { $level }
}
duration-minutes = { $minutes } دقيقة
card-requires = يتطلب:
course-requires = يجب إكمال ما يلي أولًا:
curriculum = المنهج
curriculum-empty = المنهج قيد الكتابة.
drip-days = يُفتح بعد { $days ->
    [one] يوم واحد
    [two] يومين
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
} من تسجيلك.
drip-date = يُفتح في { $date }.
drip-days-and-date = يُفتح بعد { $days ->
    [one] يوم واحد
    [two] يومين
    [few] { $days } أيام
    [many] { $days } يومًا
   *[other] { $days } يوم
} من تسجيلك، وليس قبل { $date }.
lesson-kind = { $kind ->
    [video] فيديو
    [quiz] اختبار
   *[text] نص
}
lesson-count = { $count ->
    [zero] لا دروس
    [one] درس واحد
    [two] درسان
    [few] { $count } دروس
    [many] { $count } درسًا
   *[other] { $count } درس
}
optional = اختياري
free-preview = معاينة مجانية
free-preview-label = معاينة مجانية

log-in-to-enroll = سجّل الدخول للالتحاق
enroll = التحق بالدورة
unenroll = إلغاء الالتحاق
continue = تابِع
you-are-enrolled = أنت ملتحق بهذه الدورة.
lessons-complete-of = أكملت { $done } من { $total } دروس.
lessons-open-on = { $count ->
    [one] يُفتح درس واحد
    [two] يُفتح درسان
    [few] تُفتح { $count } دروس
    [many] يُفتح { $count } درسًا
   *[other] يُفتح { $count } درس
} في { $date }.
dashboard-empty = لم تلتحق بأي دورة بعد.
browse-the-catalog = تصفّح الدورات.
lessons-complete-label = { $total ->
    [one] درس مكتمل
    [two] درسان مكتملان
    [few] دروس مكتملة
   *[other] درسًا مكتملًا
}
course-complete = اكتملت الدورة
finished = انتهيت
download-certificate = تنزيل الشهادة
verification-page = صفحة التحقق

lesson-position = الدرس { $position } من { $total }
completed = مكتمل
mark-complete = تحديد كمكتمل

quiz-pass-mark = درجة النجاح { $mark }٪.
quiz-attempts-allowed = { $count ->
    [one] محاولة واحدة مسموحة
    [two] محاولتان مسموحتان
    [few] { $count } محاولات مسموحة
   *[other] { $count } محاولة مسموحة
}
quiz-attempts-left = ، تبقّى { $count }
quiz-unlimited = عدد المحاولات غير محدود.
quiz-you-passed = لقد نجحت في هذا الاختبار.
quiz-your-attempts = محاولاتك
score = الدرجة
result = النتيجة
when = الوقت
passed = ناجح
not-passed = غير ناجح
quiz-staff-view = تعرض هذا الاختبار بصفتك من طاقم التدريس: يتطلب التسليم الالتحاق بالدورة.
quiz-submit = إرسال الإجابات
quiz-no-attempts-left = استنفدت كل محاولاتك في هذا الاختبار.
quiz-enroll-to-take = التحق بالدورة لأداء هذا الاختبار
true = صحيح
false = خطأ
your-answer = إجابتك

attempt-number = المحاولة { $number }:
quiz-passed-mark = ناجح (درجة النجاح { $mark }٪).
quiz-not-passed-mark = غير ناجح (درجة النجاح { $mark }٪).
your-answer-was = إجابتك:
answer-none = لا شيء
answer-right = صحيحة
answer-partly-right = صحيحة جزئيًا
answer-not-right = غير صحيحة
you-completed = أكملت { $course }.
download-your-certificate = نزّل شهادتك
quiz-no-attempts-left-here = لم تتبقَّ لك محاولات في هذا الاختبار.
try-again = حاول مرة أخرى
attempts-left-paren = (تبقّى { $count })
next-lesson = التالي: { $title }

certificate-title = الشهادة { $id }
certificate-of-completion = شهادة إتمام
revoked = أُلغيت
revoked-on = في { $date }
reason-separator = {": "}
certificate-no-longer-valid = هذه الشهادة لم تعد صالحة.
valid = صالحة.
certificate-issued-by = أصدرت { $school } هذه الشهادة.
awarded-to = مُنحت إلى
for-completing = لإتمام
issued-on = بتاريخ
certificate-id = رقم الشهادة
download-the-pdf = تنزيل ملف PDF
admin = الإدارة
take-back-revocation = التراجع عن الإلغاء
revoke-reason = السبب (يظهر في هذه الصفحة)
revoke-certificate = إلغاء هذه الشهادة

landing-what = مدارس على الإنترنت، لكل منها عنوانها الخاص: فهرس ودورات ودروس وتقدّم لكل متعلم.
landing-where = تبحث عن مدرستك؟ استخدم العنوان الذي أعطتك إياه مدرستك، مثل
course-language = باللغة: { $language }
course-language-filter = لغة الدورة
all-languages = كل اللغات
transcript = النص الكامل

# The printed certificate (PDF): one line each, centred.
pdf-certificate-of-completion = شهادة إتمام
pdf-this-certifies-that = تشهد هذه الوثيقة بأنّ
pdf-has-completed-the-course = قد أتمّ الدورة
pdf-completed-on = بتاريخ { $date }
pdf-certificate-number = رقم الشهادة { $id }
pdf-verify-at = للتحقق منها: { $url }
