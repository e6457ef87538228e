package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Old names of job blocks, taken as the new ones before the file is checked: {@code switch-xlog { ... }} in
 * {@code defaults} or in a server's block is {@code switch-wal { ... }}, as Barman 3.4 still accepts
 * {@code barman switch-xlog}. Both names in one block is a problem (which one counts would be a guess).
 */
final class Aliases {
    private Aliases() {
    }

    /** {@code user} with every old name moved to its new one; problems ("FILE: key: what (line N)") added. */
    static Config apply(Config user, String where, List<String> problems) {
        if (!user.hasPath(Settings.ROOT)) {
            return user;
        }
        List<String> blocks = new ArrayList<>();
        blocks.add(ConfigUtil.joinPath(Settings.ROOT, "defaults"));
        if (user.hasPath(ConfigUtil.joinPath(Settings.ROOT, "servers"))
                && user.getValue(ConfigUtil.joinPath(Settings.ROOT, "servers")).valueType() == ConfigValueType.OBJECT) {
            for (Map.Entry<String, ConfigValue> s : user.getObject(ConfigUtil.joinPath(Settings.ROOT, "servers")).entrySet()) {
                if (s.getValue().valueType() == ConfigValueType.OBJECT) {
                    blocks.add(ConfigUtil.joinPath(Settings.ROOT, "servers", s.getKey()));
                }
            }
        }
        Config c = user;
        for (String block : blocks) {
            if (!c.hasPath(block) || c.getValue(block).valueType() != ConfigValueType.OBJECT) {
                continue;
            }
            for (Map.Entry<String, JobKind> a : JobKind.ALIASES.entrySet()) {
                String old = block + "." + ConfigUtil.joinPath(a.getKey());
                String now = block + "." + ConfigUtil.joinPath(a.getValue().id());
                if (!c.hasPathOrNull(old)) {
                    continue;
                }
                ConfigValue v = c.getValue(old);
                if (c.hasPathOrNull(now)) {
                    int line = c.getValue(now).origin().lineNumber();
                    problems.add(where + ": " + old + ": is the old name of " + a.getValue().id() + ", which is set too"
                            + (line > 0 ? " (line " + line + ")" : "") + ": keep one of them" + Settings.line(v.origin()));
                    c = c.withoutPath(old);
                } else {
                    c = c.withoutPath(old).withValue(now, v);
                }
            }
        }
        return c;
    }
}
