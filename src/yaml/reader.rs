use super::{Document, YamlError};
pub fn parse(_text: &str) -> Result<Vec<Document>, YamlError> {
    Err(YamlError { message: String::new(), span: 0..0 })
}
