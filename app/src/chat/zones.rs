//! Time zones as the browser knows them (its `Intl` has the IANA database):
//! the time now in someone's zone, the zones to pick from, the reader's own.
//! Outside a browser (server rendering) there is nothing to ask: empty.

/// The time now in `zone` ("15:04"), if the browser knows the zone.
pub fn time_in(zone: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsValue;
        let options = js_sys::Object::new();
        let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into());
        set("timeZone", zone).ok()?;
        set("hour", "2-digit").ok()?;
        set("minute", "2-digit").ok()?;
        // "15:04", as every other time on the page.
        set("hourCycle", "h23").ok()?;
        let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
        // An unknown zone throws (caught here as an error result).
        let call = format.format();
        call.call1(&JsValue::NULL, &js_sys::Date::new_0())
            .ok()?
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = zone;
        None
    }
}

/// The IANA zones the browser knows, for a picker.
pub fn all() -> Vec<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
        let listed = intl.and_then(|intl| {
            let supported = js_sys::Reflect::get(&intl, &"supportedValuesOf".into()).ok()?;
            let supported = supported.dyn_into::<js_sys::Function>().ok()?;
            supported.call1(&intl, &"timeZone".into()).ok()
        });
        let mut zones: Vec<String> = listed
            .map(|list| {
                js_sys::Array::from(&list)
                    .iter()
                    .filter_map(|z| z.as_string())
                    .collect()
            })
            .unwrap_or_default();
        if !zones.iter().any(|z| z == "UTC") {
            zones.push("UTC".into());
        }
        zones
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Vec::new()
    }
}

/// The reader's own zone, as the browser says.
pub fn own() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
        let options = format.resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()?
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
