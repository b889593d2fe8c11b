//! The web app in headless Chromium, driven through ChromeDriver: sign in,
//! import a small file, and find its accounts in the worklist.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use shared::users::Role;
use thirtyfour::prelude::*;

use crate::helpers::{tempdir::TempDir, TestApp};

/// ChromeDriver on a free loopback port, stopped on drop.
struct ChromeDriver {
    child: Child,
    port: u16,
    _scratch: TempDir,
}

impl ChromeDriver {
    fn start(scratch: TempDir) -> ChromeDriver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch.path())
            .env("XDG_CACHE_HOME", scratch.path())
            .env("XDG_CONFIG_HOME", scratch.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed; run `make test`, which installs chromium and chromium-driver");
        ChromeDriver { child, port, _scratch: scratch }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn web_dist() -> PathBuf {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist");
    assert!(dist.join("index.html").is_file(), "web/dist is not built; run `make web` (make test does) before the browser test");
    dist
}

async fn browser(driver: &ChromeDriver, profile_dir: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("Chromium is not installed; run `make test`, which installs it");
    caps.set_binary(chromium).unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ] {
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile_dir.display())).unwrap();
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..50 {
        if let Ok(browser) = WebDriver::new(&url, caps.clone()).await {
            return browser;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("ChromeDriver did not start on {url}");
}

async fn wait_for(browser: &WebDriver, by: By) -> WebElement {
    browser
        .query(by.clone())
        .wait(Duration::from_secs(30), Duration::from_millis(100))
        .first()
        .await
        .unwrap_or_else(|e| panic!("{by:?} did not appear: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_login_import_and_worklist() {
    let app = TestApp::spawn_with(Some(web_dist())).await;
    app.create_user("manager@example.com", "a long browser password", Role::Manager);
    let scratch = TempDir::new("recovery-desk-browser");
    let profile_dir = scratch.path().join("profile");
    let driver = ChromeDriver::start(scratch);
    let browser = browser(&driver, &profile_dir).await;

    let result = async {
        browser.goto(&app.url("/")).await?;
        wait_for(&browser, By::Id("login-email")).await.send_keys("manager@example.com").await?;
        browser.find(By::Id("login-password")).await?.send_keys("a long browser password").await?;
        browser.find(By::Id("login-submit")).await?.click().await?;
        wait_for(&browser, By::Id("nav-imports")).await.click().await?;

        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lending_club_small.csv").canonicalize()?;
        wait_for(&browser, By::Id("import-creditor")).await.send_keys("Lending Club").await?;
        let profile = browser.find(By::Id("import-profile")).await?;
        profile.find(By::Css("option[value='lending_club']")).await?.click().await?;
        browser.find(By::Id("import-file")).await?.send_keys(fixture.to_string_lossy()).await?;
        browser.find(By::Id("import-submit")).await?.click().await?;

        let status = wait_for(&browser, By::Id("import-status")).await;
        let mut text = String::new();
        for _ in 0..300 {
            text = status.text().await?.to_lowercase();
            if text.contains("completed") || text.contains("failed") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(text.contains("completed"), "import status reads: {text}");
        let counts = browser.find(By::Id("import-counts")).await?.text().await?;
        assert!(counts.contains('4'), "the counts show 4 imported accounts: {counts}");
        let rejected = browser.find(By::Id("import-rejected")).await?.text().await?;
        assert!(rejected.contains("unknown_status") || rejected.contains("Something Else") || rejected.contains("11"), "rejected rows are listed: {rejected}");

        browser.find(By::Id("nav-worklist")).await?.click().await?;
        wait_for(&browser, By::Css("#worklist-table tr[data-account-ref='1001']")).await;
        let rows = browser.find_all(By::Css("#worklist-table tr[data-account-ref]")).await?;
        assert_eq!(rows.len(), 4, "the worklist shows the four imported loans");

        if let Ok(path) = std::env::var("RECOVERY_DESK_SCREENSHOT") {
            browser.screenshot(Path::new(&path)).await?;
        }
        anyhow::Ok(())
    }
    .await;
    browser.quit().await.ok();
    result.unwrap();
}
