mail-hello = مرحبًا { $name }،
mail-sent-by = أرسلتها
mail-or-open = أو افتح هذا الرابط:
mail-verify-subject = أكّد بريدك الإلكتروني في { $school }
mail-verify-body = يُرجى تأكيد أن { $email } هو بريدك الإلكتروني في { $school }:
mail-verify-button = أكّد عنواني
mail-verify-footer = يعمل الرابط لمدة ٧ أيام. إذا لم تنشئ حسابًا، يمكنك تجاهل هذه الرسالة.
mail-reset-subject = إعادة تعيين كلمة المرور في { $school }
mail-reset-body = طلب أحدهم (نأمل أن تكون أنت) إعادة تعيين كلمة مرور حسابك في { $school }. اختر كلمة مرور جديدة من هنا:
mail-reset-button = اختر كلمة مرور جديدة
mail-reset-footer = يعمل الرابط مرة واحدة، لمدة ٣٠ دقيقة. إذا لم تطلب ذلك، تجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.
mail-email-change-subject = أكّد عنوان بريدك الجديد في { $school }
mail-email-change-body = يُرجى تأكيد أن حسابك في { $school } يجب أن يستخدم { $email } من الآن:
mail-email-change-button = استخدم هذا العنوان
mail-email-change-footer = يعمل الرابط لمدة ٢٤ ساعة. إلى أن تفتحه، يحتفظ حسابك بعنوانه الحالي.
mail-invite-subject = أنت مدعو إلى { $school }
mail-invite-body = دعاك { $inviter } إلى { $school } بصفة { $role ->
    [admin] مسؤول
    [instructor] مدرّس
   *[learner] متعلّم
}.
mail-invite-courses = ستلتحق بـ: { $courses }.
mail-invite-create = أنشئ حسابك من هنا:
mail-invite-button = اقبل الدعوة
mail-invite-footer = تعمل الدعوة لمدة ١٤ يومًا.
mail-enrollment-subject = أنت ملتحق بـ{ $course }
mail-enrollment-body = أنت ملتحق بـ{ $course } في { $school }. ابدأ التعلّم من هنا:
mail-enrollment-button = ابدأ التعلّم
mail-announcement-signature = { $author }، { $course } في { $school }
mail-announcement-why = تصلك هذه الرسالة لأنك ملتحق بـ{ $course }.
mail-announcement-unsubscribe = إلغاء الاشتراك في إعلاناتها
mail-webhook-subject = عُطّلت نقطة استقبال Webhook تابعة لـ{ $school }
mail-webhook-body = توقف EduFlow عن إرسال الأحداث إلى { $url } بعد { $count ->
        [one] محاولة فاشلة واحدة
        [two] محاولتين فاشلتين
        [few] { $count } محاولات فاشلة
       *[other] { $count } محاولة فاشلة
    } على التوالي. آخرها: { $reason }
mail-webhook-kept = تُحفظ الأحداث ما دامت معطّلة. عندما تعمل نقطة الاستقبال مجددًا، فعّلها من هنا وستُسلَّم الأحداث:
mail-webhook-button = اعرض نقطة الاستقبال
