"""The Scrapy project that crawls one site, and the pure page analysers it calls."""
