// Diesel's view of the tables in migrations/. Generated columns (courses.search) are left out:
// queries reach them through SQL fragments.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        tagline -> Text,
        domains -> Array<Text>,
        accent_color -> Text,
        logo_url -> Nullable<Text>,
        catalog_version -> Int8,
        admin_emails -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        suspended_at -> Nullable<Timestamptz>,
        mail_sender_name -> Nullable<Text>,
        mail_reply_to -> Nullable<Text>,
        require_verified_email -> Bool,
        locale -> Text,
        locales -> Array<Text>,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        slug -> Text,
        name -> Text,
        position -> Int4,
    }
}

diesel::table! {
    courses (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        slug -> Text,
        title -> Text,
        summary -> Text,
        description -> Text,
        category -> Text,
        tags -> Array<Text>,
        cover_image_key -> Nullable<Text>,
        cover_width -> Nullable<Int4>,
        cover_height -> Nullable<Int4>,
        level -> Text,
        duration_minutes -> Int4,
        published -> Bool,
        published_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        enrollment_cap -> Nullable<Int4>,
        enrollment_ends_at -> Nullable<Timestamptz>,
        language -> Text,
    }
}

diesel::table! {
    sections (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        course_id -> Uuid,
        position -> Int4,
        title -> Text,
        unlock_after_days -> Nullable<Int4>,
        unlock_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    lessons (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        section_id -> Uuid,
        position -> Int4,
        slug -> Text,
        title -> Text,
        kind -> Text,
        body -> Text,
        video_key -> Nullable<Text>,
        hls_key -> Nullable<Text>,
        duration_seconds -> Int4,
        free_preview -> Bool,
        optional -> Bool,
        transcript -> Text,
    }
}

diesel::table! {
    lesson_captions (tenant_id, lesson_id, language) {
        tenant_id -> Uuid,
        lesson_id -> Uuid,
        language -> Text,
        vtt_key -> Text,
        playlist_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(categories -> tenants (tenant_id));
diesel::joinable!(courses -> tenants (tenant_id));
diesel::joinable!(sections -> courses (course_id));
diesel::joinable!(lessons -> sections (section_id));

diesel::table! {
    users (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamptz,
        state_version -> Int8,
        email_verified_at -> Nullable<Timestamptz>,
        suspended_at -> Nullable<Timestamptz>,
        erased_at -> Nullable<Timestamptz>,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        csrf_token -> Text,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        sso_provider -> Nullable<Text>,
        sso_id_token -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    enrollments (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        course_id -> Uuid,
        created_at -> Timestamptz,
        announcements -> Bool,
    }
}

diesel::table! {
    lesson_progress (tenant_id, user_id, lesson_id) {
        tenant_id -> Uuid,
        user_id -> Uuid,
        course_id -> Uuid,
        lesson_id -> Uuid,
        completed_at -> Nullable<Timestamptz>,
        position_seconds -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(enrollments -> courses (course_id));
diesel::joinable!(lesson_progress -> lessons (lesson_id));
diesel::allow_tables_to_appear_in_same_query!(
    tenants,
    school_moves,
    categories,
    courses,
    sections,
    lessons,
    users,
    sessions,
    enrollments,
    lesson_progress,
    course_instructors,
    media,
    account_tokens,
    outbox,
    announcements,
    quizzes,
    quiz_attempts,
    certificates,
    course_prerequisites,
    lesson_captions,
);

diesel::table! {
    account_tokens (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        user_id -> Nullable<Uuid>,
        email -> Text,
        payload -> Jsonb,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Nullable<Uuid>,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        unsubscribe_url -> Nullable<Text>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        claimed_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    announcements (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        course_id -> Uuid,
        author_id -> Nullable<Uuid>,
        subject -> Text,
        body -> Text,
        recipients -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    media (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        key -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        width -> Nullable<Int4>,
        height -> Nullable<Int4>,
        duration_seconds -> Nullable<Int4>,
        original_name -> Text,
        uploaded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    course_instructors (course_id, user_id) {
        tenant_id -> Uuid,
        course_id -> Uuid,
        user_id -> Uuid,
        is_owner -> Bool,
    }
}

diesel::joinable!(course_instructors -> users (user_id));
diesel::joinable!(course_instructors -> courses (course_id));

diesel::table! {
    media_variants (tenant_id, source_key, width, format) {
        tenant_id -> Uuid,
        source_key -> Text,
        width -> Int4,
        format -> Text,
        key -> Text,
        height -> Int4,
        size_bytes -> Int8,
    }
}

diesel::table! {
    quizzes (lesson_id) {
        lesson_id -> Uuid,
        tenant_id -> Uuid,
        gift -> Text,
        pass_mark -> Int4,
        max_attempts -> Nullable<Int4>,
        shuffle -> Bool,
    }
}

diesel::table! {
    quiz_attempts (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        lesson_id -> Uuid,
        number -> Int4,
        score -> Int4,
        passed -> Bool,
        marked -> Jsonb,
        submitted_at -> Timestamptz,
    }
}

diesel::table! {
    certificates (id) {
        id -> Uuid,
        tenant_id -> Uuid,
        user_id -> Uuid,
        course_id -> Uuid,
        learner_name -> Text,
        course_title -> Text,
        issued_at -> Timestamptz,
        pdf_key -> Nullable<Text>,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    course_prerequisites (tenant_id, course_id, required_id) {
        tenant_id -> Uuid,
        course_id -> Uuid,
        required_id -> Uuid,
    }
}

diesel::joinable!(quizzes -> lessons (lesson_id));
diesel::joinable!(quiz_attempts -> lessons (lesson_id));
diesel::joinable!(certificates -> courses (course_id));

diesel::table! {
    clusters (name) {
        name -> Text,
        url -> Text,
        admin_url -> Text,
        listen_url -> Nullable<Text>,
        replica_urls -> Array<Text>,
        region -> Text,
        added_at -> Timestamptz,
        media_bucket -> Nullable<Text>,
        media_region -> Nullable<Text>,
        media_endpoint -> Nullable<Text>,
        backup_config -> Nullable<Text>,
        backup_stanza -> Nullable<Text>,
    }
}

diesel::table! {
    school_moves (school) {
        school -> Uuid,
        direction -> Text,
        other -> Text,
        serving -> Bool,
        started_at -> Timestamptz,
        switched_at -> Nullable<Timestamptz>,
    }
}
