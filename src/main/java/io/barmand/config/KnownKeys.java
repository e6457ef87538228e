package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Map;

/**
 * Unknown keys refused: every key of a file of the configuration is one that reference.conf defines (a server's block:
 * a key of {@code defaults}), else a problem naming the near one ("did you mean offsite.part-size?").
 */
final class KnownKeys {
    private KnownKeys() {
    }

    /** Keys in the file that reference.conf does not define (per-server blocks: keys of `defaults`). */
    static void check(String where, Config user, Config reference, List<String> problems) {
        if (!user.hasPath(Settings.ROOT)) {
            if (!user.root().isEmpty()) {
                for (String k : user.root().keySet()) {
                    problems.add(where + ": " + k + ": unknown key (everything belongs under \"" + Settings.ROOT + " { }\")"
                            + Settings.line(user.root().get(k).origin()));
                }
            } else {
                problems.add(where + ": " + Settings.ROOT + ": missing (the file defines nothing)");
            }
            return;
        }
        for (String k : user.root().keySet()) {
            if (!k.equals(Settings.ROOT)) {
                problems.add(where + ": " + k + ": unknown key" + Near.suggestion(k, List.of(Settings.ROOT)) + Settings.line(user.root().get(k).origin()));
            }
        }
        ConfigObject root = user.root().toConfig().getObject(Settings.ROOT);
        ConfigObject ref = reference.getObject(Settings.ROOT);
        for (Map.Entry<String, ConfigValue> e : root.entrySet()) {
            String path = Settings.ROOT + "." + ConfigUtil.joinPath(e.getKey());
            if (e.getKey().equals("servers") && e.getValue().valueType() == ConfigValueType.OBJECT) {
                ConfigObject defaults = reference.getObject(Settings.ROOT + ".defaults");
                for (Map.Entry<String, ConfigValue> s : ((ConfigObject) e.getValue()).entrySet()) {
                    if (s.getValue().valueType() == ConfigValueType.OBJECT) {
                        walk(where, path + "." + ConfigUtil.joinPath(s.getKey()), (ConfigObject) s.getValue(), defaults, defaults,
                                problems);
                    }
                }
            } else {
                compare(where, path, e.getKey(), e.getValue(), ref, ref.withoutKey("servers"), problems);
            }
        }
    }

    /** {@code scope}: the block a misplaced key is looked for in ("did you mean offsite.part-size?"). */
    private static void walk(String where, String path, ConfigObject user, ConfigObject ref, ConfigObject scope,
                             List<String> problems) {
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            compare(where, path + "." + ConfigUtil.joinPath(e.getKey()), e.getKey(), e.getValue(), ref, scope, problems);
        }
    }

    private static void compare(String where, String path, String key, ConfigValue v, ConfigObject ref, ConfigObject scope,
                                List<String> problems) {
        ConfigValue r = ref.get(key);
        if (r == null) {
            String near = Near.suggestion(key, ref.keySet());
            problems.add(where + ": " + path + ": unknown key" + (near.isEmpty() ? Near.elsewhere(key, scope) : near)
                    + Settings.line(v.origin()));
        } else if (r.valueType() == ConfigValueType.OBJECT && v.valueType() == ConfigValueType.OBJECT) {
            walk(where, path, (ConfigObject) v, (ConfigObject) r, scope, problems);
        }
    }
}
