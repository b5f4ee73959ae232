//! The one route table.

use actix_web::middleware::Compress;
use actix_web::web;

use crate::web::accounts::{
    email_change, language, personal, recovery, sign_in, sso, verification,
};
use crate::web::admin::{
    api_tokens, audit, invitations, learners, lti as admin_lti, roster, school as admin_school,
    sso as admin_sso, webhooks,
};
use crate::web::api::catalog as api;
use crate::web::api::learning as api_learning;
use crate::web::api::systems;
use crate::web::assessment::{certificates, quizzes};
use crate::web::authoring::{courses, grades, lessons, members, packages};
use crate::web::catalog as pages;
use crate::web::learning::announcements;
use crate::web::lti::{launch as lti_launch, platform as lti_platform, services as lti_services};
use crate::web::scorm::{files as scorm_files, runtime as scorm_runtime};
use crate::web::{assets, health, learning, media};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Probes, cached pages and media go without the `Compress` middleware. Order matters for
    // speed: each dynamic pattern tried before a request's own costs a regular expression.
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        // Cached pages: `encoded` sends them compressed (kept so for anonymous visitors, composed
        // from deflated pieces for signed-in ones).
        .route("/", web::get().to(pages::home))
        .route("/courses", web::get().to(pages::catalog))
        .route("/learn", web::get().to(learning::pages::dashboard))
        .route("/courses/{slug}", web::get().to(pages::course))
        .route(
            "/courses/{slug}/lessons/{lesson}",
            web::get().to(learning::pages::lesson),
        )
        // Media is already compressed, and served in ranges.
        .route("/media/{key:.*}", web::get().to(media::file))
        .route("/img/{width}/{key:.*}", web::get().to(media::image))
        .service(api_get("/api/v1/courses", web::get().to(api::courses)))
        .service(api_get(
            "/api/v1/courses/{slug}",
            web::get().to(api::course),
        ))
        // Every other text answer is compressed per response.
        .service(web::scope("").wrap(Compress::default()).configure(text))
        .default_service(web::to(health::not_found));
}

fn text(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/brand.css", web::get().to(pages::brand_css))
        .route("/signup", web::get().to(sign_in::signup_form))
        .route("/signup", web::post().to(sign_in::signup))
        .route("/login", web::get().to(sign_in::login_form))
        .route("/login", web::post().to(sign_in::login))
        .route("/logout", web::post().to(sign_in::logout))
        .route("/sso/{name}/login", web::get().to(sso::login))
        .route("/sso/{name}/callback", web::get().to(sso::callback))
        .route("/sso/{name}/metadata", web::get().to(sso::metadata))
        .route("/sso/{name}/acs", web::post().to(sso::acs))
        .route("/password/forgot", web::get().to(recovery::forgot_form))
        .route("/password/forgot", web::post().to(recovery::forgot))
        .route(
            "/password/reset/{token}",
            web::get().to(recovery::reset_form),
        )
        .route("/password/reset/{token}", web::post().to(recovery::reset))
        .route("/account", web::get().to(verification::account))
        .route("/account/verify", web::post().to(verification::resend))
        .route("/account/language", web::post().to(language::choose))
        .route("/account/email", web::post().to(email_change::request))
        .route(
            "/account/email/{token}",
            web::get().to(email_change::confirm),
        )
        .route("/account/export", web::get().to(personal::export_mine))
        .route("/account/delete", web::post().to(personal::delete_mine))
        .route(
            "/account/verify/{token}",
            web::get().to(verification::confirm),
        )
        .route(
            "/courses/{slug}/enroll",
            web::post().to(learning::pages::enroll),
        )
        .route(
            "/courses/{slug}/unenroll",
            web::post().to(learning::pages::unenroll),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/complete",
            web::post().to(learning::pages::complete),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/attempts",
            web::post().to(quizzes::submit),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/attempts/{attempt}",
            web::get().to(quizzes::result),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/launch",
            web::get().to(lti_launch::launch),
        )
        .route(
            "/scorm/{lesson}/{path:.*}",
            web::get().to(scorm_files::serve),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/scorm/{sco}/commit",
            web::post().to(scorm_runtime::commit),
        )
        .route(
            "/courses/{slug}/lessons/{lesson}/scorm/state",
            web::get().to(scorm_runtime::state),
        )
        .route("/lti/jwks", web::get().to(lti_platform::jwks))
        .route("/lti/authorize", web::get().to(lti_platform::authorize_get))
        .route(
            "/lti/authorize",
            web::post().to(lti_platform::authorize_post),
        )
        .route("/lti/token", web::post().to(lti_platform::token))
        .route("/lti/deep-links", web::post().to(lti_launch::returned))
        .service(
            web::scope("/lti/courses/{course}")
                .route("/lineitems", web::get().to(lti_services::line_items))
                .route("/lineitems", web::post().to(lti_services::add_line_item))
                .route("/lineitems/{item}", web::get().to(lti_services::line_item))
                .route(
                    "/lineitems/{item}",
                    web::put().to(lti_services::put_line_item),
                )
                .route(
                    "/lineitems/{item}",
                    web::delete().to(lti_services::delete_line_item),
                )
                .route(
                    "/lineitems/{item}/scores",
                    web::post().to(lti_services::score),
                )
                .route(
                    "/lineitems/{item}/results",
                    web::get().to(lti_services::results),
                )
                .route("/memberships", web::get().to(lti_services::memberships)),
        )
        .route("/certificates/{id}", web::get().to(certificates::verify))
        .route(
            "/certificates/{id}/pdf",
            web::get().to(certificates::download),
        )
        .route(
            "/certificates/{id}/revoke",
            web::post().to(certificates::revoke),
        )
        .route(
            "/certificates/{id}/restore",
            web::post().to(certificates::revoke),
        )
        .route("/hls/{key:.*}", web::get().to(media::playlist))
        .service(
            web::scope("/author")
                .route("", web::get().to(courses::index))
                .route("/courses/new", web::get().to(courses::new_course))
                .route("/courses", web::post().to(courses::create_course))
                .route("/courses/{course}", web::get().to(courses::edit_course))
                .route("/courses/{course}", web::post().to(courses::update_course))
                .route(
                    "/courses/{course}/publish",
                    web::post().to(courses::publish),
                )
                .route(
                    "/courses/{course}/sections",
                    web::post().to(courses::add_section),
                )
                .route(
                    "/courses/{course}/lti",
                    web::post().to(lti_launch::choose_content),
                )
                .route("/courses/{course}/scorm", web::post().to(packages::import))
                .route("/courses/{course}/grades", web::get().to(grades::page))
                .route(
                    "/courses/{course}/grades",
                    web::post().to(grades::set_override),
                )
                .route("/courses/{course}/grades/csv", web::get().to(grades::csv))
                .route(
                    "/courses/{course}/sections/{section}",
                    web::post().to(courses::arrange_section),
                )
                .route(
                    "/courses/{course}/sections/{section}/lessons/new",
                    web::get().to(lessons::new_lesson),
                )
                .route(
                    "/courses/{course}/sections/{section}/lessons",
                    web::post().to(lessons::create_lesson),
                )
                .route(
                    "/courses/{course}/lessons/{lesson}",
                    web::get().to(lessons::edit_lesson),
                )
                .route(
                    "/courses/{course}/lessons/{lesson}",
                    web::post().to(lessons::update_lesson),
                )
                .route(
                    "/courses/{course}/lessons/{lesson}/quiz.gift",
                    web::get().to(quizzes::export),
                )
                .route(
                    "/courses/{course}/lessons/{lesson}/arrange",
                    web::post().to(courses::arrange_lesson),
                )
                .route(
                    "/courses/{course}/instructors",
                    web::post().to(courses::instructors),
                )
                .route("/courses/{course}/learners", web::get().to(roster::page))
                .route(
                    "/courses/{course}/announcements",
                    web::post().to(announcements::announce),
                )
                .route("/courses/{course}/learners.csv", web::get().to(roster::csv)),
        )
        .route("/admin/members", web::get().to(members::members))
        .route("/admin/members/{user}", web::post().to(members::set_role))
        .route(
            "/admin/invitations",
            web::post().to(invitations::invite_one),
        )
        .route(
            "/admin/invitations/csv",
            web::post().to(invitations::invite_csv),
        )
        .route("/admin/audit", web::get().to(audit::page))
        .route("/admin/lti", web::get().to(admin_lti::list))
        .route("/admin/lti", web::post().to(admin_lti::add))
        .route("/admin/lti/rotate", web::post().to(admin_lti::rotate))
        .route(
            "/admin/lti/{tool}/delete",
            web::post().to(admin_lti::remove),
        )
        .route("/admin/webhooks", web::get().to(webhooks::list))
        .route("/admin/webhooks", web::post().to(webhooks::add))
        .route("/admin/webhooks/{endpoint}", web::get().to(webhooks::show))
        .route(
            "/admin/webhooks/{endpoint}/{action}",
            web::post().to(webhooks::act),
        )
        .route(
            "/admin/webhooks/{endpoint}/deliveries/{delivery}/redeliver",
            web::post().to(webhooks::redeliver),
        )
        .route("/admin/school", web::get().to(admin_school::show))
        .route("/admin/school", web::post().to(admin_school::save))
        .route("/admin/sso", web::get().to(admin_sso::list))
        .route("/admin/sso", web::post().to(admin_sso::save))
        .route("/admin/sso/only", web::post().to(admin_sso::only))
        .route(
            "/admin/sso/{name}/delete",
            web::post().to(admin_sso::delete),
        )
        .route("/admin/api", web::get().to(api_tokens::list))
        .route("/admin/api", web::post().to(api_tokens::create))
        .route(
            "/admin/api/{token}/revoke",
            web::post().to(api_tokens::revoke),
        )
        .route("/admin/learners", web::get().to(learners::list))
        .route("/admin/learners/{user}", web::get().to(learners::show))
        .route(
            "/admin/learners/{user}/suspend",
            web::post().to(learners::suspend),
        )
        .route(
            "/admin/learners/{user}/courses/{course}/remove",
            web::post().to(learners::remove),
        )
        .route(
            "/admin/learners/{user}/export",
            web::get().to(learners::export),
        )
        .route(
            "/admin/learners/{user}/delete",
            web::post().to(learners::erase),
        )
        .route(
            "/unsubscribe/{course}/{user}/{sig}",
            web::get().to(announcements::confirm),
        )
        .route(
            "/unsubscribe/{course}/{user}/{sig}",
            web::post().to(announcements::unsubscribe),
        )
        .route(
            "/invitations/{token}",
            web::get().to(invitations::accept_form),
        )
        .route("/invitations/{token}", web::post().to(invitations::accept))
        .service(
            web::scope("/api/v1")
                .service(api_get("/me", web::get().to(api_learning::me)))
                .service(api_get(
                    "/me/enrollments",
                    web::get().to(api_learning::enrollments),
                ))
                .service(api_get(
                    "/me/progress",
                    web::get().to(api_learning::enrollments),
                ))
                .service(
                    web::resource("/lessons/{lesson}/position")
                        .route(web::post().to(api_learning::position))
                        .default_service(web::to(|| api::method_not_allowed("POST"))),
                )
                .service(
                    web::resource("/users")
                        .route(web::get().to(systems::users_list))
                        .route(web::post().to(systems::users_upsert))
                        .default_service(web::to(|| api::method_not_allowed("GET, POST"))),
                )
                .service(
                    web::resource("/users/{user}/enrollments/{course}")
                        .route(web::delete().to(systems::unenroll))
                        .default_service(web::to(|| api::method_not_allowed("DELETE"))),
                )
                .service(
                    web::resource("/enrollments")
                        .route(web::get().to(systems::enrollments))
                        .route(web::post().to(systems::enroll))
                        .default_service(web::to(|| api::method_not_allowed("GET, POST"))),
                )
                .service(
                    web::resource("/completions")
                        .route(web::post().to(systems::complete))
                        .default_service(web::to(|| api::method_not_allowed("POST"))),
                )
                .service(api_get("/progress", web::get().to(systems::progress)))
                .service(api_get(
                    "/certificates",
                    web::get().to(systems::certificates),
                ))
                .service(api_get(
                    "/courses/{slug}/grades",
                    web::get().to(systems::grades),
                ))
                .service(api_get("/openapi.json", web::get().to(api::openapi)))
                .default_service(web::to(api::not_found)),
        );
}

/// An API path answering `route` (a GET), and 405 with `Allow` to any other method.
fn api_get(path: &str, route: actix_web::Route) -> actix_web::Resource {
    web::resource(path)
        .route(route)
        .default_service(web::to(|| api::method_not_allowed("GET")))
}
