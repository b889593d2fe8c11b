//! Files produced or fetched in the browser: saved as downloads or shown in a new tab.

use wasm_bindgen::JsCast;

/// Time after which an object URL handed to a new tab is revoked. The tab has
/// loaded the file long before, and revoking frees the browser's copy.
const TAB_OBJECT_URL_LIFETIME_MS: u32 = 10 * 60 * 1000;

fn failed(step: &str) -> String {
    format!("the browser could not {step}")
}

/// Offers `text` to the user as a download named `file_name`.
pub fn save_text_file(file_name: &str, text: &str, media_type: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| failed("create the file"))?;
    save_blob(file_name, &blob)
}

/// Offers `bytes` to the user as a download named `file_name`.
pub fn save_bytes_file(file_name: &str, bytes: &[u8], media_type: &str) -> Result<(), String> {
    let blob = blob_from_bytes(bytes, media_type)?;
    save_blob(file_name, &blob)
}

fn blob_from_bytes(bytes: &[u8], media_type: &str) -> Result<web_sys::Blob, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| failed("create the file"))
}

fn save_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(|_| failed("create a download link"))?;
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

/// A browser tab opened during a click, before the file it will show is fetched.
///
/// Browsers block tabs that a page opens outside a user's click, and the
/// fetch finishes after the click has ended. So the tab opens empty at the
/// click and receives the file when it arrives.
pub struct PendingTab(Option<web_sys::Window>);

impl PendingTab {
    /// Opens an empty tab. Call it from a click handler. When the browser
    /// blocks the tab anyway, `show` saves the file as a download instead.
    pub fn open() -> PendingTab {
        let tab = web_sys::window().and_then(|window| window.open_with_url_and_target("", "_blank").ok().flatten());
        PendingTab(tab)
    }

    /// Shows `bytes` of type `media_type` in the tab through an object URL,
    /// or saves them as `file_name` when there is no tab or the user closed it.
    pub fn show(self, bytes: &[u8], media_type: &str, file_name: &str) -> Result<(), String> {
        let blob = blob_from_bytes(bytes, media_type)?;
        let Some(tab) = self.0.filter(|tab| !tab.closed().unwrap_or(true)) else {
            return save_blob(file_name, &blob);
        };
        let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed("create a link to the file"))?;
        if tab.location().set_href(&url).is_err() {
            let _ = tab.close();
            let _ = web_sys::Url::revoke_object_url(&url);
            return save_blob(file_name, &blob);
        }
        // NOTE: a tab that reloads the file after this time shows an error page.
        gloo_timers::callback::Timeout::new(TAB_OBJECT_URL_LIFETIME_MS, move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        })
        .forget();
        Ok(())
    }

    /// Closes the empty tab, after the file could not be fetched.
    pub fn close(self) {
        if let Some(tab) = self.0 {
            let _ = tab.close();
        }
    }
}
