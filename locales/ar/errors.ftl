error-a-course-cannot-require-itself = لا يمكن أن تشترط الدورة نفسها.
error-a-quiz-is-complete-when = يكتمل الاختبار عند النجاح فيه.
error-a-quiz-is-complete-when-2 = يكتمل الاختبار عندما تنجح فيه.
error-account-suspended = هذا الحساب موقوف. تواصل مع { $school } لإعادة تفعيله.
error-add-an-identity-provider-before = أضف مزوّد هوية قبل إيقاف تسجيل الدخول بكلمة المرور.
error-after-is-not-a-mark = قيمة after ليست علامة أعطتها هذه الواجهة.
error-an-account-with-this-address = يوجد حساب بهذا العنوان بالفعل: سجّل الدخول بدلًا من ذلك.
error-another-account-here-uses-that = حساب آخر هنا يستخدم هذا العنوان.
error-another-account-here-uses-that-2 = حساب آخر هنا يستخدم هذا العنوان الآن؛ لم يتغير عنوانك.
error-another-request-created-this-account = أنشأ طلب آخر هذا الحساب في اللحظة نفسها؛ أعد المحاولة.
error-avif-source = { $name } صورة بصيغة AVIF لا يستطيع EduFlow قراءتها بعد: ارفع صورة JPEG أو PNG أو GIF أو WebP (سيظل الزوار يتلقون نسخ AVIF منها).
error-busy = الخدمة مشغولة، يُرجى إعادة المحاولة بعد قليل
error-choose-a-csv-file = اختر ملف CSV.
error-choose-a-default-role = اختر دورًا افتراضيًا.
error-choose-at-least-one-event = اختر حدثًا واحدًا على الأقل.
error-choose-at-least-one-scope = اختر نطاق صلاحية واحدًا على الأقل.
error-choose-learner-instructor-or-admin = اختر متعلّمًا أو مدرّسًا أو مسؤولًا.
error-choose-suspend-or-reinstate = اختر الإيقاف أو إعادة التفعيل.
error-client-secret = أدخل سرّ العميل.
error-complete-first = أكمل { $courses } أولًا.
error-confirm-your-email-address-before = أكّد بريدك الإلكتروني قبل الالتحاق: افتح الرابط الذي أرسلناه إليك، أو اطلب رابطًا جديدًا من صفحة حسابك (/account).
error-course-is-not-a-course = قيمة course ليست معرّف دورة.
error-delete-your-own-account-from = احذف حسابك من صفحة حسابك.
error-discovery-unreadable = تعذّرت قراءة مستند الاكتشاف الخاص بالجهة المُصدِرة: { $reason }
error-email-is-not-an-email = قيمة email ليست عنوان بريد إلكتروني.
error-endpoint-not-added = لم تُضف نقطة الاستقبال: { $reason }.
error-enroll-in-the-course-to = التحق بالدورة لأداء اختباراتها.
error-enroll-in-the-course-to-2 = التحق بالدورة لتسجيل تقدّمك.
error-enrollment-in-this-course-has = أُغلق باب الالتحاق بهذه الدورة.
error-enter-a-valid-email-address = أدخل عنوان بريد إلكتروني صالحًا.
error-expiry-is-a-number-of = مدة الصلاحية عدد أيام من ١ إلى ٣٦٥٠، أو فارغة لعدم التحديد.
error-field-too-long = الحقل { $field } طويل جدًا.
error-file-empty = { $name } فارغ.
error-file-too-large = حجم الملف أكبر من { $kib } كيلوبايت.
error-form-unreadable = تعذّرت قراءة النموذج: { $reason }
error-give-at-most-one-category = حدّد تصنيفًا واحدًا على الأكثر
error-give-either-after-or-before = حدّد `after` أو `before`، لا كليهما
error-hls-damaged = أرشيف HLS تالف.
error-hls-missing-file = يشير { $name } إلى { $uri }، وهو غير موجود في الأرشيف.
error-hls-not-playlist = { $name } ليس قائمة تشغيل HLS (لا يحتوي #EXTM3U).
error-hls-not-text = { $name } ليس قائمة تشغيل نصية.
error-hls-not-zip = أرشيف HLS ليس ملف zip قابلًا للقراءة.
error-hls-one-master = يحتاج أرشيف HLS إلى قائمة تشغيل رئيسية واحدة بالضبط (تحتوي #EXT-X-STREAM-INF).
error-hls-playlist-too-large = حجم { $name } أكبر من ١ ميبيبايت.
error-hls-stray-file = { $name } ليس جزءًا من سلّم HLS (قوائم تشغيل ومقاطع .ts أو .m4s أو .mp4 أو .m4a أو .aac أو .vtt).
error-hls-too-large = يتجاوز سلّم HLS بعد فكّه الحد البالغ { $mib } ميبيبايت.
error-hls-too-many-files = يحتوي أرشيف HLS على أكثر من { $max } ملف.
error-hls-unpack = تعذّر فكّ { $name }.
error-hls-unsafe-path = { $name } ليس مسارًا آمنًا.
error-hls-unterminated-uri = تحتوي قائمة تشغيل على عنوان URI غير مكتمل.
error-idp-metadata-missing = الصق البيانات الوصفية لمزوّد الهوية، أو أعطِ عنوانها.
error-idp-metadata-unreadable = تعذّرت قراءة البيانات الوصفية لمزوّد الهوية من { $url }: { $reason }
error-image-too-big = أبعاد { $name } هي { $width }×{ $height } بكسل؛ يجب ألا تتجاوز الصور ٥٠ ميغابكسل و{ $side } بكسل للضلع.
error-image-unreadable = { $name } ليست صورة قابلة للقراءة.
error-image-width = يجب أن يكون العرض أحد { $widths }
error-internal = خطأ داخلي
error-invitation-not-sent = لم تُرسل الدعوة: { $reason }.
error-is-a-learner = { $email } متعلّم؛ يجب أن يجعله مسؤول مدرّسًا أولًا.
error-json-unreadable = تعذّرت قراءة محتوى JSON: { $reason }
error-learner-must-complete = يجب أن يُكمل المتعلّم { $courses } أولًا.
error-lesson-is-not-a-lesson = قيمة lesson ليست معرّف درس.
error-lesson-opens-on = يُفتح هذا الدرس في { $date }.
error-limit-is-between-1-and = قيمة limit بين ١ و٥٠٠.
error-limit-range = يجب أن تكون limit عددًا من ١ إلى { $max }
error-malformed-page-cursor = مؤشر صفحة غير صالح
error-media-too-large = { $kind ->
    [image] هذه الصورة كبيرة جدًا
    [video] هذا الفيديو كبير جدًا
   *[hls] أرشيف HLS هذا كبير جدًا
}: الحد هو { $mib } ميبيبايت.
error-name-is-1-to-100 = قيمة name من ١ إلى ١٠٠ حرف.
error-name-the-token-1-to = سمِّ الرمز (من ١ إلى ١٠٠ حرف).
error-no-account-has-this-email = لا يوجد حساب بهذا البريد الإلكتروني هنا.
error-no-course-here = لا توجد دورة { $course } في تلك المدرسة
error-no-course-named = لا توجد دورة باسم «{ $course }» في هذه المدرسة.
error-no-published-course-has-this = لا توجد دورة منشورة بهذا المعرّف هنا.
error-no-school-here = لا توجد مدرسة على هذا العنوان
error-no-such-course-at-that = لا توجد دورة كهذه في تلك المدرسة
error-no-such-lesson-in-a = لا يوجد درس كهذا في دورة منشورة هنا.
error-no-such-school = لا توجد مدرسة كهذه
error-nobody-has-email = لا أحد في هذه المدرسة يملك البريد { $email }.
error-not-a-tag = `{ $tag }` ليس وسمًا
error-not-found = غير موجود
error-only-admins-and-the-course = لا يعيّن المدرّسين إلا المسؤولون وصاحب الدورة.
error-only-jpeg-png-webp-avif = لا يمكن رفع إلا صور JPEG أو PNG أو WebP أو AVIF أو GIF، أو فيديو MP4 أو WebM، أو ملف zip لسلّم HLS.
error-only-the-school-s-admins = لا يلغي الشهادات إلا مسؤولو المدرسة.
error-only-the-school-s-admins-2 = لا يدير الأعضاء إلا مسؤولو المدرسة.
error-only-the-school-s-instructors = لا يؤلف الدورات إلا مدرّسو المدرسة ومسؤولوها.
error-only-this-course-s-instructors = لا يعدّل هذه الدورة إلا مدرّسوها ومسؤولو المدرسة.
error-q-is-at-most-100 = قيمة q لا تتجاوز ١٠٠ حرف.
error-query = الاستعلام: { $reason }.
error-quiz-attempts-used = استنفدت { $count ->
    [one] محاولتك الوحيدة
    [two] محاولتيك
    [few] محاولاتك الـ{ $count }
   *[other] محاولاتك الـ{ $count }
} في هذا الاختبار.
error-role-is-learner-instructor-or = قيمة role هي learner أو instructor أو admin.
error-search-for-at-most-100 = ابحث بما لا يزيد على ١٠٠ حرف.
error-search-too-long = البحث محدود بـ{ $max } حرف
error-seconds-must-be-a-whole = يجب أن تكون seconds عددًا صحيحًا من ٠ إلى ٨٦٤٠٠
error-sign-in-first = سجّل الدخول أولًا
error-slug-taken = دورة أو درس آخر هنا يستخدم هذا المعرّف بالفعل.
error-sso-did-not-work = لم ينجح تسجيل الدخول ({ $reason }). عُد إلى صفحة تسجيل الدخول وحاول مرة أخرى.
error-sso-misconfigured = خدمة تسجيل الدخول في المدرسة غير مضبوطة بشكل صحيح.
error-sso-only = تسجّل { $school } دخول أعضائها عبر مزوّدها الخاص. استخدم زر تسجيل الدخول في صفحة تسجيل الدخول.
error-sso-unreachable = تعذّر الوصول إلى خدمة تسجيل الدخول في المدرسة. حاول مرة أخرى بعد قليل.
error-suspended = { $school } مغلقة مؤقتًا. يُرجى العودة لاحقًا.
error-that-is-already-your-address = هذا عنوانك بالفعل.
error-that-is-not-your-password = هذه ليست كلمة مرورك؛ لم يُحذف شيء.
error-that-is-not-your-password-2 = هذه ليست كلمة مرورك؛ لم يُحذف حسابك.
error-that-is-not-your-password-3 = هذه ليست كلمة مرورك؛ لم يتغير عنوانك.
error-that-page-does-not-exist = هذه الصفحة غير موجودة.
error-the-address-contains-a-control = يحتوي العنوان على حرف تحكّم.
error-the-form-contains-characters-that = يحتوي النموذج على أحرف لا يمكن حفظها (NUL أو حرف تحكّم آخر).
error-the-form-has-too-many = يحتوي النموذج على حقول كثيرة جدًا.
error-the-form-is-not-valid = النموذج ليس بترميز UTF-8 صالح.
error-the-form-is-too-large = النموذج كبير جدًا.
error-the-learner-is-not-enrolled = المتعلّم غير ملتحق بهذه الدورة.
error-the-provider-did-not-share = لم يشارك المزوّد عنوان بريد إلكتروني، وهو ما يحتاجه الحساب.
error-the-reason-is-at-most = لا يتجاوز السبب ٥٠٠ حرف.
error-the-search-cannot-contain-control = لا يمكن أن يحتوي البحث على أحرف تحكّم
error-the-source-image-cannot-be = تعذّر فك ترميز الصورة الأصلية.
error-the-title-has-1-to = العنوان من ١ إلى ٢٠٠ حرف
error-there-is-no-such-action = لا يوجد إجراء كهذا للتصفية به.
error-this-certificate-was-revoked-see = أُلغيت هذه الشهادة؛ راجع صفحة التحقق منها.
error-this-course-is-full = هذه الدورة مكتملة العدد.
error-this-form-has-expired-reload = انتهت صلاحية هذا النموذج؛ أعد تحميل الصفحة وحاول مرة أخرى.
error-this-form-was-not-sent = لم يُرسل هذا النموذج من صفحات هذه المدرسة.
error-this-media-link-is-invalid = رابط الوسائط هذا غير صالح أو منتهي الصلاحية؛ أعد تحميل الصفحة.
error-this-provider-is-set-by = هذا المزوّد محدد في ملف المدرسة؛ يغيّره المشغّل هناك.
error-this-provider-is-set-by-2 = هذا المزوّد محدد في ملف المدرسة؛ يزيله المشغّل هناك.
error-title-400 = طلب غير صالح
error-title-401 = سجّل الدخول أولًا
error-title-403 = غير مسموح
error-title-404 = غير موجود
error-title-409 = غير ممكن
error-title-413 = كبير جدًا
error-title-415 = ملف غير مدعوم
error-title-422 = لا يمكن استخدام هذا
error-title-429 = محاولات كثيرة جدًا
error-title-500 = حدث خطأ ما
error-title-502 = تعذّر الوصول
error-title-503 = مشغول
error-title-closed = مغلقة مؤقتًا
error-token-lacks-scope = ينقص هذا الرمز نطاق الصلاحية { $scope }.
error-too-many-minutes = طلبات كثيرة جدًا؛ حاول مرة أخرى بعد { $n } دقيقة
error-too-many-seconds = طلبات كثيرة جدًا؛ حاول مرة أخرى بعد { $n ->
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $n } ثوانٍ
   *[other] { $n } ثانية
}
error-too-many-tags = صفِّ بما لا يزيد على { $max } وسوم
error-type-mismatch = يقول الملف إنه { $declared } لكن محتواه { $actual }.
error-type-undeclared = لا يذكر الملف نوعه لكن محتواه { $actual }.
error-unknown-category = تصنيف غير معروف `{ $category }`
error-unknown-instructor-action = إجراء غير معروف للمدرّسين.
error-unknown-lesson-action = إجراء غير معروف للدرس.
error-unknown-section-action = إجراء غير معروف للقسم.
error-write-a-subject-of-1 = اكتب موضوعًا من ١ إلى ٢٠٠ حرف في سطر واحد.
error-write-the-announcement-up-to = اكتب الإعلان (حتى ٢٠٬٠٠٠ حرف).
error-wrong-media-kind = { $name } { $kind ->
    [image] ليس صورة
    [video] ليس فيديو
   *[hls] ليس أرشيف HLS
}.
error-you-cannot-change-your-own = لا يمكنك تغيير دورك؛ اطلب ذلك من مسؤول آخر.
error-you-cannot-suspend-yourself = لا يمكنك إيقاف نفسك.
home = الصفحة الرئيسية
plain = { $text }
error-default-language-offered = قدّم لغة واحدة على الأقل، وتكون اللغة الافتراضية بينها.
error-accent-not-hex = اختر اللون المميّز بصيغة #rrggbb.
error-accent-too-light = هذا اللون فاتح جدًا للقراءة: يبلغ تباين النص الأبيض عليه والروابط المكتوبة به { $ratio }:١، والمطلوب ٤٫٥:١. اللون { $suggestion } هو اللون نفسه بعد تغميقه بما يكفي.
error-password-short = استخدم ١٠ أحرف على الأقل.
error-password-long = استخدم ١٢٨ حرفًا على الأكثر.
error-password-common = كلمة المرور هذه شائعة جدًا؛ اختر غيرها.
error-enter-your-name = أدخل اسمك (حتى ١٠٠ حرف).
error-email-or-password = البريد الإلكتروني أو كلمة المرور غير صحيحة.
error-not-a-language = `{ $language }` ليس رمز لغة
error-captions-too-large = لا يتجاوز حجم ملف الترجمة { $kib } كيلوبايت.
error-captions-not-utf8 = ملف الترجمة ليس نصًا بترميز UTF-8.
error-captions-not-webvtt = ملف الترجمة ليس بصيغة WebVTT: يجب أن يكون سطره الأول WEBVTT.
error-captions-timing = في السطر { $line } من ملف الترجمة توقيت غير مقروء (HH:MM:SS.mmm --> HH:MM:SS.mmm، والنهاية بعد البداية).
error-captions-no-cues = لا يحتوي ملف الترجمة على أي مقطع.
error-captions-language = حدّد لغة الترجمة.

# Sign-in refusals (single sign-on).
sso-domain-not-allowed = لا يمكن لحسابات { $domain } تسجيل الدخول إلى هذه المدرسة عبر { $provider }.
sso-email-unconfirmed = يوجد هنا حساب بالعنوان { $email }، ولا يؤكد { $provider } أن هذا العنوان لك. سجّل الدخول بكلمة المرور بدلًا من ذلك.
sso-account-suspended = هذا الحساب موقوف. تواصل مع المدرسة لإعادة تفعيله.

# A school's learning record store (xAPI), set by the operator.
error-lrs-endpoint = عنوان LRS غير صالح للاستخدام: { $reason }
