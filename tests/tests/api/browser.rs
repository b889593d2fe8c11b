//! The web app in headless Chromium, driven through ChromeDriver.
// TODO: written once the web app's pages exist.
