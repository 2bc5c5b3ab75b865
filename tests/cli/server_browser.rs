//! The web UI in a real browser (headless Chromium over WebDriver).
