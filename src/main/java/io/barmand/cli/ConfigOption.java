package io.barmand.cli;

import java.nio.file.Path;

/** What a command reads its configuration file from: its root's {@code --config} (its {@code @ParentCommand}). */
interface ConfigOption {
    Path configFile();
}
