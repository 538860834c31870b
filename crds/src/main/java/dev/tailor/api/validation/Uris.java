package dev.tailor.api.validation;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/** URI checks shared by the validators. */
final class Uris {

  static final Set<String> MODEL_SCHEMES = Set.of("s3", "file");
  static final String MODEL_SCHEMES_ALLOWED = "s3://bucket/prefix or file:///path";
  static final String STORE_SCHEMES_ALLOWED = "s3://bucket/prefix or file:///path";

  private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");

  private Uris() {}

  /**
   * Checks a data or model URI.
   *
   * @param schemes accepted schemes
   * @param allowed how the accepted forms read in a message
   * @return the parsed URI, or null when a violation was added
   */
  static URI check(
      Violations v,
      String field,
      String value,
      Set<String> schemes,
      String allowed,
      String credentialsHint) {
    if (Violations.isBlank(value)) {
      v.add(field, "is required; set it to " + allowed);
      return null;
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      v.add(field, Violations.show(value) + " is not a valid URI (" + e.getReason() + ")");
      return null;
    }
    String scheme = uri.getScheme();
    if (scheme == null || !schemes.contains(scheme)) {
      v.add(
          field,
          (scheme == null
                  ? Violations.show(value) + " has no scheme"
                  : "scheme " + Violations.show(scheme) + " is not supported")
              + "; use "
              + allowed);
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      v.add(field, "must not contain credentials (user info before '@'); " + credentialsHint);
      return null;
    }
    if ("file".equals(scheme)) {
      if (uri.getRawAuthority() != null
          || uri.getPath() == null
          || !uri.getPath().startsWith("/")) {
        v.add(
            field,
            Violations.show(value)
                + " is not an absolute file URI; write file:///path (three slashes)");
        return null;
      }
    } else if ("s3".equals(scheme)) {
      String bucket = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority();
      if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
        v.add(
            field,
            (bucket == null
                    ? "has no bucket"
                    : Violations.show(bucket) + " is not a valid bucket name")
                + "; S3 bucket names are 3 to 63 lowercase letters, digits, '.' and '-'");
        return null;
      }
    } else if (uri.getHost() == null) {
      v.add(field, Violations.show(value) + " has no host; use " + allowed);
      return null;
    }
    return uri;
  }
}
