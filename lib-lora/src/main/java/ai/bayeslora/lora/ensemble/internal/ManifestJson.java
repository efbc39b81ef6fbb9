package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.BaseModelFingerprint;
import ai.bayeslora.lora.ensemble.EnsembleFormatException;
import ai.bayeslora.lora.ensemble.EnsembleManifest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and writes {@code ensemble.json}; every malformed field is reported with the file and the field name. */
public final class ManifestJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A member folder is a plain name inside the ensemble folder: no separators, no "." or "..". */
    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    private ManifestJson() {
    }

    /** The manifest as pretty-printed JSON. */
    public static String write(EnsembleManifest m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", EnsembleManifest.FORMAT);
        o.put("format_version", m.formatVersion());
        o.put("member_count", m.members().size());
        ArrayNode members = o.putArray("members");
        for (EnsembleManifest.Member member : m.members()) {
            ObjectNode e = members.addObject();
            e.put("folder", member.folder());
            if (member.seed().isPresent()) {
                e.put("seed", member.seed().getAsLong());
            } else {
                e.putNull("seed");
            }
        }
        o.set("base_model", m.baseModel().toJson());
        o.put("class_reduction", m.reduction().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        ArrayNode labels = o.putArray("class_labels");
        m.classLabels().forEach(labels::add);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads and validates {@code dir/ensemble.json}. */
    public static EnsembleManifest read(Path dir) {
        Path file = dir.resolve(EnsembleManifest.FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new EnsembleFormatException(file + ": " + EnsembleManifest.FILE + " not found (is " + dir
                    + " an ensemble folder written by LoraEnsemble.save?)");
        } catch (IOException e) {
            throw new EnsembleFormatException(file + ": cannot parse: " + e.getMessage(), e);
        }
        return new Reader(file, root).read();
    }

    /** One read; knows the file for messages. */
    private static final class Reader {
        private final Path file;
        private final JsonNode root;

        Reader(Path file, JsonNode root) {
            this.file = file;
            this.root = root;
        }

        EnsembleManifest read() {
            if (root == null || !root.isObject()) {
                throw error("expected a JSON object");
            }
            String format = text(root, "format");
            if (!EnsembleManifest.FORMAT.equals(format)) {
                throw error("field 'format' is '" + format + "', expected '" + EnsembleManifest.FORMAT + "'");
            }
            int version = integer(root, "format_version");
            if (version < 1 || version > EnsembleManifest.FORMAT_VERSION) {
                throw error("field 'format_version' is " + version + "; this library reads version "
                        + EnsembleManifest.FORMAT_VERSION);
            }
            JsonNode list = root.get("members");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw error("field 'members' must be a non-empty array of {\"folder\", \"seed\"}");
            }
            int count = integer(root, "member_count");
            if (count != list.size()) {
                throw error("field 'member_count' is " + count + " but 'members' lists " + list.size());
            }
            List<EnsembleManifest.Member> members = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode e = list.get(i);
                String where = "members[" + i + "]";
                if (!e.isObject()) {
                    throw error("field '" + where + "' must be an object");
                }
                String folder = text(e, "folder", where + ".folder");
                if (!FOLDER.matcher(folder).matches() || folder.equals("..")) {
                    throw error("field '" + where + ".folder' is '" + folder
                            + "'; expected a plain folder name inside the ensemble folder");
                }
                if (!seen.add(folder)) {
                    throw error("field '" + where + ".folder': member folder '" + folder + "' is listed twice");
                }
                JsonNode seed = e.get("seed");
                OptionalLong s;
                if (seed == null || seed.isNull()) {
                    s = OptionalLong.empty();
                } else if (seed.isIntegralNumber() && seed.canConvertToLong()) {
                    s = OptionalLong.of(seed.asLong());
                } else {
                    throw error("field '" + where + ".seed' must be an integer or null, got " + seed);
                }
                members.add(new EnsembleManifest.Member(folder, s));
            }
            ClassReduction reduction;
            String red = text(root, "class_reduction");
            try {
                reduction = ClassReduction.parse(red);
            } catch (IllegalArgumentException ex) {
                throw error("field 'class_reduction': " + ex.getMessage());
            }
            JsonNode labelNode = root.get("class_labels");
            if (labelNode == null || !labelNode.isArray()) {
                throw error("field 'class_labels' must be an array of strings");
            }
            List<String> labels = new ArrayList<>();
            labelNode.forEach(n -> labels.add(n.asText()));
            return new EnsembleManifest(version, members, base(), reduction, labels);
        }

        private BaseModelFingerprint base() {
            return BaseModelFingerprint.fromJson(root.get("base_model"), "base_model", this::error);
        }

        private String text(JsonNode n, String field) {
            return text(n, field, field);
        }

        private String text(JsonNode n, String field, String path) {
            JsonNode v = n.get(field);
            if (v == null || !v.isTextual()) {
                throw error((v == null ? "missing field '" : "field '") + path + "'" + (v == null ? ""
                        : " must be a string, got " + v));
            }
            return v.asText();
        }

        private int integer(JsonNode n, String field) {
            return integer(n, field, field);
        }

        private int integer(JsonNode n, String field, String path) {
            JsonNode v = n.get(field);
            if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
                throw error((v == null ? "missing field '" : "field '") + path + "'" + (v == null ? ""
                        : " must be an integer, got " + v));
            }
            return v.asInt();
        }

        private EnsembleFormatException error(String what) {
            return new EnsembleFormatException(file + ": " + what);
        }
    }
}
