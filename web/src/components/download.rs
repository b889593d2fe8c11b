//! Saving text produced in the browser as a file.

use wasm_bindgen::JsCast;

/// Offers `text` to the user as a download named `file_name`.
pub fn save_text_file(file_name: &str, text: &str, media_type: &str) -> Result<(), String> {
    let failed = |step: &str| format!("the browser could not {step}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| failed("create the file"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed("create a download link"))?;

    let document = web_sys::window().and_then(|window| window.document()).ok_or_else(|| failed("find the page"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failed("create a download link"))?
        .dyn_into()
        .map_err(|_| failed("create a download link"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();

    // Revoking at once can cancel the download in some browsers, so wait a while.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
