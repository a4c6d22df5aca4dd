//! IDX decoding (the MNIST file format, LeCun et al., http://yann.lecun.com/exdb/mnist/ "FILE FORMATS"):
//! a 4-byte magic (two zero bytes, a type code, the number of dimensions), one big-endian u32 per
//! dimension, then the data. Images are type 0x08 (u8) with 3 dimensions, labels 0x08 with 1 dimension.
//!
//! The page hands us the bytes after `DecompressionStream('gzip')`, so the errors name the mistakes
//! that actually happen there: a file still gzip'd, a truncated download, swapped image/label files.

use super::{Dataset, CLASSES, SIDE};
use std::fmt;

/// Magic of an IDX file of u8 with 3 dimensions (images).
pub const IMAGE_MAGIC: u32 = 0x0000_0803;
/// Magic of an IDX file of u8 with 1 dimension (labels).
pub const LABEL_MAGIC: u32 = 0x0000_0801;

const IMAGE_HEADER: usize = 16;
const LABEL_HEADER: usize = 8;
const REBUILD: &str = "re-run `npm run prepare-data`";

/// Which of the two IDX files an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdxFile {
    /// The `*-images.idx` file.
    Images,
    /// The `*-labels.idx` file.
    Labels,
}

impl IdxFile {
    fn noun(self) -> &'static str {
        match self {
            IdxFile::Images => "image",
            IdxFile::Labels => "label",
        }
    }
}

/// Why a pair of IDX files could not be turned into a `Dataset`; `Display` gives the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The bytes start with the gzip magic 1f 8b: nobody inflated them.
    Gzipped { file: IdxFile },
    /// The first four bytes are not the expected IDX magic.
    BadMagic { file: IdxFile, magic: u32 },
    /// The file is shorter than its header promises (`expected` bytes, `actual` present).
    Truncated {
        file: IdxFile,
        count: u64,
        rows: u64,
        cols: u64,
        expected: u64,
        actual: usize,
    },
    /// The file is longer than its header promises.
    TrailingBytes {
        file: IdxFile,
        expected: u64,
        actual: usize,
    },
    /// A label outside 0..9.
    BadLabel { index: usize, value: u8 },
    /// Images that are not 28x28.
    WrongSize { rows: usize, cols: usize },
    /// The image and label files disagree on the number of samples.
    CountMismatch { images: usize, labels: usize },
    /// A header that declares zero samples.
    Empty { file: IdxFile },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DataError::Gzipped { file } => write!(
                f,
                "the {} file is still gzip-compressed (it starts with 1f 8b): inflate it first \
                 (e.g. with DecompressionStream('gzip')) and pass the raw IDX bytes",
                file.noun()
            ),
            DataError::BadMagic { file, magic } => {
                let (want, other) = match file {
                    IdxFile::Images => (IMAGE_MAGIC, LABEL_MAGIC),
                    IdxFile::Labels => (LABEL_MAGIC, IMAGE_MAGIC),
                };
                write!(
                    f,
                    "not an IDX {} file (magic 0x{magic:08x}, expected 0x{want:08x})",
                    file.noun()
                )?;
                if magic == other {
                    write!(
                        f,
                        " — it looks like a {} file: are the image and label files swapped?",
                        {
                            match file {
                                IdxFile::Images => "label",
                                IdxFile::Labels => "image",
                            }
                        }
                    )
                } else {
                    write!(f, " — the file is garbled or not MNIST data; {REBUILD}")
                }
            }
            DataError::Truncated {
                file: IdxFile::Images,
                count,
                rows,
                cols,
                expected,
                actual,
            } => {
                if actual < IMAGE_HEADER {
                    write!(
                        f,
                        "the image file is truncated: it has {actual} bytes, fewer than the \
                         {IMAGE_HEADER}-byte IDX header — {REBUILD}"
                    )
                } else {
                    write!(
                        f,
                        "the image file is truncated: header says {count} images of {rows}x{cols} \
                         ({expected} bytes) but the file has {actual} bytes — {REBUILD}"
                    )
                }
            }
            DataError::Truncated {
                file: IdxFile::Labels,
                count,
                expected,
                actual,
                ..
            } => {
                if actual < LABEL_HEADER {
                    write!(
                        f,
                        "the label file is truncated: it has {actual} bytes, fewer than the \
                         {LABEL_HEADER}-byte IDX header — {REBUILD}"
                    )
                } else {
                    write!(
                        f,
                        "the label file is truncated: header says {count} labels ({expected} bytes) \
                         but the file has {actual} bytes — {REBUILD}"
                    )
                }
            }
            DataError::TrailingBytes {
                file,
                expected,
                actual,
            } => write!(
                f,
                "the {} file has {actual} bytes but its header accounts for only {expected}: \
                 it is garbled or two files were joined — {REBUILD}",
                file.noun()
            ),
            DataError::BadLabel { index, value } => write!(
                f,
                "the label file holds label {value} at index {index}, but digit labels are 0..9 — \
                 the file is garbled; {REBUILD}"
            ),
            DataError::WrongSize { rows, cols } => write!(
                f,
                "the images are {rows}x{cols}, but Loss Lab needs 28x28 MNIST-format images"
            ),
            DataError::CountMismatch { images, labels } => write!(
                f,
                "the image file has {images} images but the label file has {labels} labels — \
                 they come from different sets (train vs test?); {REBUILD}"
            ),
            DataError::Empty { file } => {
                write!(f, "the {} file declares 0 samples — {REBUILD}", file.noun())
            }
        }
    }
}

impl std::error::Error for DataError {}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Checks the gzip and IDX magic of a file that holds at least 4 bytes.
fn check_magic(bytes: &[u8], file: IdxFile, want: u32) -> Result<(), DataError> {
    // RFC 1952 section 2.3.1: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b.
    if bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
        return Err(DataError::Gzipped { file });
    }
    if bytes.len() >= 4 {
        let magic = be_u32(bytes, 0);
        if magic != want {
            return Err(DataError::BadMagic { file, magic });
        }
    }
    Ok(())
}

/// Decodes an IDX image file into (count, rows, cols, pixels); pixels are count*rows*cols bytes.
pub fn parse_idx_images(bytes: &[u8]) -> Result<(usize, usize, usize, Vec<u8>), DataError> {
    let file = IdxFile::Images;
    check_magic(bytes, file, IMAGE_MAGIC)?;
    if bytes.len() < IMAGE_HEADER {
        return Err(DataError::Truncated {
            file,
            count: 0,
            rows: 0,
            cols: 0,
            expected: IMAGE_HEADER as u64,
            actual: bytes.len(),
        });
    }
    let (count, rows, cols) = (
        be_u32(bytes, 4) as u64,
        be_u32(bytes, 8) as u64,
        be_u32(bytes, 12) as u64,
    );
    // u64, saturating: on wasm32 usize is 32 bits, and a garbled header could overflow even u64.
    let expected =
        (count.saturating_mul(rows).saturating_mul(cols)).saturating_add(IMAGE_HEADER as u64);
    check_size(bytes, file, count, (rows, cols), expected)?;
    Ok((
        count as usize,
        rows as usize,
        cols as usize,
        bytes[IMAGE_HEADER..].to_vec(),
    ))
}

/// The file must be exactly as long as its header promises, and not empty.
fn check_size(
    bytes: &[u8],
    file: IdxFile,
    count: u64,
    (rows, cols): (u64, u64),
    expected: u64,
) -> Result<(), DataError> {
    let actual = bytes.len();
    if (actual as u64) < expected {
        return Err(DataError::Truncated {
            file,
            count,
            rows,
            cols,
            expected,
            actual,
        });
    }
    if (actual as u64) > expected {
        return Err(DataError::TrailingBytes {
            file,
            expected,
            actual,
        });
    }
    if count == 0 {
        return Err(DataError::Empty { file });
    }
    Ok(())
}

/// Decodes an IDX label file; every label must be a digit 0..9.
pub fn parse_idx_labels(bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let file = IdxFile::Labels;
    check_magic(bytes, file, LABEL_MAGIC)?;
    if bytes.len() < LABEL_HEADER {
        return Err(DataError::Truncated {
            file,
            count: 0,
            rows: 0,
            cols: 0,
            expected: LABEL_HEADER as u64,
            actual: bytes.len(),
        });
    }
    let count = be_u32(bytes, 4) as u64;
    let expected = LABEL_HEADER as u64 + count;
    check_size(bytes, file, count, (0, 0), expected)?;
    let labels = &bytes[LABEL_HEADER..];
    if let Some(index) = labels.iter().position(|&l| l as usize >= CLASSES) {
        return Err(DataError::BadLabel {
            index,
            value: labels[index],
        });
    }
    Ok(labels.to_vec())
}

/// Builds a `Dataset` from an IDX image file and an IDX label file (28x28, equal counts).
pub fn dataset_from_idx(images: &[u8], labels: &[u8]) -> Result<Dataset, DataError> {
    let (count, rows, cols, pixels) = parse_idx_images(images)?;
    if rows != SIDE || cols != SIDE {
        return Err(DataError::WrongSize { rows, cols });
    }
    let labels = parse_idx_labels(labels)?;
    if labels.len() != count {
        return Err(DataError::CountMismatch {
            images: count,
            labels: labels.len(),
        });
    }
    Ok(Dataset {
        images: pixels,
        labels,
        synthetic: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image_file(count: u32, rows: u32, cols: u32) -> Vec<u8> {
        let mut b = Vec::new();
        for v in [IMAGE_MAGIC, count, rows, cols] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.extend((0..count * rows * cols).map(|i| (i % 251) as u8));
        b
    }

    fn label_file(labels: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&LABEL_MAGIC.to_be_bytes());
        b.extend_from_slice(&(labels.len() as u32).to_be_bytes());
        b.extend_from_slice(labels);
        b
    }

    #[test]
    fn round_trip_of_a_hand_made_file() {
        let ds = dataset_from_idx(&image_file(3, 28, 28), &label_file(&[4, 0, 9])).unwrap();
        assert_eq!(ds.len(), 3);
        assert_eq!(ds.labels, vec![4, 0, 9]);
        assert_eq!(ds.image(1)[0], (784 % 251) as u8);
        assert!(!ds.synthetic);
    }

    #[test]
    fn truncated_images_report_the_promised_and_actual_sizes() {
        let mut b = image_file(10, 28, 28);
        b.truncate(512);
        let e = parse_idx_images(&b).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the image file is truncated: header says 10 images of 28x28 (7856 bytes) but the file has \
             512 bytes — re-run `npm run prepare-data`"
        );
        let e = parse_idx_images(&b[..7]).unwrap_err();
        assert!(
            e.to_string().contains("fewer than the 16-byte IDX header"),
            "{e}"
        );
    }

    #[test]
    fn magic_errors_name_the_problem() {
        let e = parse_idx_images(&[0x1f, 0x8b, 8, 0, 0, 0]).unwrap_err();
        assert_eq!(
            e,
            DataError::Gzipped {
                file: IdxFile::Images
            }
        );
        assert!(e.to_string().contains("still gzip-compressed"));
        let e = parse_idx_images(&label_file(&[1, 2])).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("not an IDX image file (magic 0x00000801"),
            "{e}"
        );
        assert!(e.to_string().contains("swapped"), "{e}");
        let e = parse_idx_labels(b"<!DOCTYPE html>").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("not an IDX label file (magic 0x3c21444f"),
            "{e}"
        );
    }

    #[test]
    fn labels_outside_0_to_9_wrong_size_and_count_mismatch_are_rejected() {
        let e = parse_idx_labels(&label_file(&[1, 2, 10])).unwrap_err();
        assert_eq!(
            e,
            DataError::BadLabel {
                index: 2,
                value: 10
            }
        );
        let e = dataset_from_idx(&image_file(2, 32, 32), &label_file(&[1, 2])).unwrap_err();
        assert_eq!(e, DataError::WrongSize { rows: 32, cols: 32 });
        let e = dataset_from_idx(&image_file(2, 28, 28), &label_file(&[1, 2, 3])).unwrap_err();
        assert_eq!(
            e,
            DataError::CountMismatch {
                images: 2,
                labels: 3
            }
        );
        let mut long = label_file(&[1]);
        long.push(0);
        assert!(matches!(
            parse_idx_labels(&long),
            Err(DataError::TrailingBytes { .. })
        ));
        assert_eq!(
            parse_idx_labels(&label_file(&[])),
            Err(DataError::Empty {
                file: IdxFile::Labels
            })
        );
    }

    #[test]
    fn a_huge_header_count_does_not_overflow() {
        let mut b = image_file(0, 28, 28);
        b[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        b[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            parse_idx_images(&b),
            Err(DataError::Truncated { .. })
        ));
    }
}
