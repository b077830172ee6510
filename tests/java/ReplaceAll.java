import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The oracle of tests/java_regex.rs: what java.util.regex makes of each case. Input lines are
 * pattern, replacement and text, hex-encoded UTF-8, tab-separated. Each output line is one of
 * "syntax INDEX DESCRIPTION", "ok FOUND RESULT", "replacement FOUND MESSAGE" or "overflow".
 */
public class ReplaceAll {
    static String unhex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return new String(b, StandardCharsets.UTF_8);
    }

    static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", x));
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(args[0]))) {
            String[] f = line.split("\t", -1);
            String pattern = unhex(f[0]), replacement = unhex(f[1]), text = unhex(f[2]);
            Pattern p;
            try {
                p = Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                out.append("syntax\t").append(e.getIndex()).append('\t').append(hex(e.getDescription())).append('\n');
                continue;
            }
            try {
                int found = p.matcher(text).find() ? 1 : 0;
                try {
                    // What RestoreService does: renamedIndex = index.replaceAll(pattern, replacement).
                    String renamed = text.replaceAll(pattern, replacement);
                    out.append("ok\t").append(found).append('\t').append(hex(renamed)).append('\n');
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    out.append("replacement\t").append(found).append('\t').append(hex(String.valueOf(e.getMessage()))).append('\n');
                }
            } catch (StackOverflowError e) {
                out.append("overflow\n");
            }
        }
        System.out.print(out);
    }
}
