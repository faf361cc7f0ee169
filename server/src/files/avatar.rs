//! Avatars: an uploaded image, decoded whole within the same bounds as any
//! image upload (`image::decode`), cropped to its centre square and
//! re-encoded as two JPEG thumbnails (`protocol::AVATAR_SIDES`). Nothing
//! of the uploaded bytes is kept or served: metadata, extra frames and
//! anything hidden after the image are gone.

use std::path::Path;

use image::imageops::FilterType;
use image::ImageFormat;
use protocol::AVATAR_SIDES;

use super::image::{decode, jpeg, ImageError};

/// JPEG quality of avatar thumbnails.
const QUALITY: u8 = 85;

/// The large and small thumbnails of the image at `path` (blocking).
pub fn thumbnails(
    path: &Path,
    format: ImageFormat,
    max_pixels: u64,
    bytes: u64,
) -> Result<[Vec<u8>; 2], ImageError> {
    let (decoded, width, height) = decode(path, format, max_pixels, bytes)?;
    let side = width.min(height);
    let square = decoded.crop_imm((width - side) / 2, (height - side) / 2, side, side);
    let [large, small] = AVATAR_SIDES;
    // Never enlarged: a small picture stays its size (a browser scales it).
    let large_image = square.resize_exact(large.min(side), large.min(side), FilterType::Lanczos3);
    let small_image =
        large_image.resize_exact(small.min(side), small.min(side), FilterType::Lanczos3);
    Ok([jpeg(&large_image, QUALITY)?, jpeg(&small_image, QUALITY)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_avatar_is_a_square_new_jpeg_in_two_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.png");
        let wide = image::RgbaImage::from_pixel(600, 300, image::Rgba([200, 10, 10, 255]));
        wide.save(&path).unwrap();
        let bytes = std::fs::metadata(&path).unwrap().len();
        let [large, small] = thumbnails(&path, ImageFormat::Png, 1 << 24, bytes).unwrap();
        for (thumb, side) in [(large, 256), (small, 64)] {
            let decoded = image::load_from_memory(&thumb).unwrap();
            assert_eq!(image::guess_format(&thumb).unwrap(), ImageFormat::Jpeg);
            assert_eq!((decoded.width(), decoded.height()), (side, side));
        }
    }
}
