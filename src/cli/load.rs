//! Loading rule files for the command line: the library's loader
//! ([`authgate::project::files`]), and parsing `--max-file-size`.

pub use authgate::project::files::{LoadError, load};

/// Parses `--max-file-size`: bytes, or a number with `K`, `M` or `G`
/// (optionally `KiB`, `MiB`, `GiB`), powers of 1024; at most 4 GiB - 1.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write bytes, or e.g. 64M or 1G"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => return Err(format!("unknown unit in `{text}`: use K, M or G")),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .filter(|&bytes| bytes <= authgate::source::MAX_FILE_SIZE as u64)
        .ok_or_else(|| format!("`{text}` is over the 4G that authgate can read"))?;
    Ok(bytes)
}
