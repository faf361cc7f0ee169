//! Images among uploads: recognized by their bytes (PNG, JPEG, GIF, WebP —
//! never SVG, which can hold scripts), checked whole, and shrunk into a
//! thumbnail. Decoding is bounded: an image of more than `max_pixels` pixels
//! is refused from its header before any pixel is decoded (a decompression
//! bomb never gets its memory), and the decoder's own allocations are capped.

use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 360;

/// An image's type, size and thumbnail (JPEG).
pub struct Inspected {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

/// Pixels an image may have whatever its size in bytes (16 MiB decoded).
pub const PIXELS_ALWAYS_ALLOWED: u64 = 1 << 22;
/// Past [`PIXELS_ALWAYS_ALLOWED`], most pixels per byte of the file. Photos
/// have a few, screenshots tens, flat drawings a hundred or two; a
/// decompression bomb (a huge blank PNG of a few kilobytes) has thousands,
/// and would cost seconds and hundreds of megabytes to decode for nothing.
pub const MAX_PIXELS_PER_BYTE: u64 = 256;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image is {width}×{height} pixels; at most {max} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error(
        "the image claims {width}×{height} pixels in {bytes} bytes, more than an image that \
         size holds; it is refused unread"
    )]
    TooDense { width: u32, height: u32, bytes: u64 },
    #[error("the image could not be read (truncated or damaged): {0}")]
    Unreadable(String),
}

/// The image format `head` (a file's first bytes) starts with, if it is one
/// shown inline.
pub fn format_of(head: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(head).ok()? {
        f @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP) => {
            Some(f)
        }
        _ => None,
    }
}

/// Whether a declared type claims an image shown inline.
pub fn claims_image(mime: &str) -> bool {
    matches!(
        mime.split(';').next().unwrap_or("").trim(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Decodes the whole image at `path`, a file of `bytes` bytes (blocking:
/// call from a blocking task), and makes its thumbnail. Too many pixels, in
/// all or for the file's size, are refused from the header.
pub fn inspect(
    path: &Path,
    format: ImageFormat,
    max_pixels: u64,
    bytes: u64,
) -> Result<Inspected, ImageError> {
    let (decoded, width, height) = decode(path, format, max_pixels, bytes)?;
    let thumbnail = jpeg(&decoded.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE), 80)?;
    Ok(Inspected {
        mime: format.to_mime_type(),
        width,
        height,
        thumbnail,
    })
}

/// Decodes the whole image at `path`, a file of `bytes` bytes, with its size
/// in pixels (blocking). Too many pixels, in all or for the file's size, are
/// refused from the header, before any pixel is decoded.
pub fn decode(
    path: &Path,
    format: ImageFormat,
    max_pixels: u64,
    bytes: u64,
) -> Result<(DynamicImage, u32, u32), ImageError> {
    let reader = || -> Result<ImageReader<_>, ImageError> {
        let mut reader = ImageReader::open(path).map_err(|e| unreadable(&e))?;
        reader.set_format(format);
        let mut limits = Limits::default();
        // RGBA8 at the largest size accepted, and room for the decoder.
        limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(64 << 20));
        reader.limits(limits);
        Ok(reader)
    };
    let (width, height) = reader()?.into_dimensions().map_err(|e| unreadable(&e))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            max: max_pixels,
        });
    }
    if pixels > PIXELS_ALWAYS_ALLOWED.max(bytes.saturating_mul(MAX_PIXELS_PER_BYTE)) {
        return Err(ImageError::TooDense {
            width,
            height,
            bytes,
        });
    }
    let decoded = reader()?.decode().map_err(|e| unreadable(&e))?;
    Ok((decoded, width, height))
}

fn unreadable(e: &dyn std::fmt::Display) -> ImageError {
    ImageError::Unreadable(e.to_string())
}

/// `image` as a JPEG of `quality` (1-100), transparent pixels over white
/// (JPEG has no alpha): a new encoding, no byte of the original.
pub fn jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut rgb = image::RgbImage::new(image.width(), image.height());
    for (x, y, pixel) in image.to_rgba8().enumerate_pixels() {
        let [r, g, b, a] = pixel.0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        rgb.put_pixel(x, y, image::Rgb([over(r), over(g), over(b)]));
    }
    let mut encoded = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut encoded, quality)
        .encode_image(&rgb)
        .map_err(|e| unreadable(&e))?;
    Ok(encoded)
}
