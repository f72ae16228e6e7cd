package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Pshmem;
import org.pshmem.spi.Setting;

/** The README's settings table and {@link Setting} list the same settings, with the same names and defaults. */
class SettingsTableTest
{
    private static final Path README = Path.of("..").toAbsolutePath().normalize().resolve("README.md");
    private static final String HEADER = "| system property | environment variable | default | what |";

    /** @return the table's rows, each as its four cells without backticks around names and defaults. */
    static List<List<String>> readmeRows() throws IOException
    {
        final List<String> lines = Files.readAllLines(README);
        final int header = lines.indexOf(HEADER);
        assertTrue(header >= 0, "README has no settings table headed " + HEADER);
        final List<List<String>> rows = new ArrayList<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++)
        {
            final String line = lines.get(i);
            final List<String> cells = Arrays.stream(line.substring(1, line.length() - 1).split(" \\| ", -1))
                .map(String::trim).collect(Collectors.toList());
            assertEquals(4, cells.size(), "settings table row: " + line);
            for (int c = 0; c < 3; c++)
            {
                cells.set(c, cells.get(c).replaceAll("^`(.*)`$", "$1"));
            }
            rows.add(cells);
        }
        return rows;
    }

    private static List<String> row(final Setting setting)
    {
        return List.of(setting.property().orElse(""), setting.environmentVariable().orElse(""),
            setting.defaultValue().orElse(""), setting.description());
    }

    @Test
    void theReadmeTableListsEverySettingAsDeclared() throws IOException
    {
        final List<List<String>> declared = Arrays.stream(Setting.values()).map(SettingsTableTest::row)
            .collect(Collectors.toList());
        assertEquals(declared, readmeRows(), "README's settings table against org.pshmem.spi.Setting, row by row");
    }

    @Test
    void thePublicNamesOfTheTransportSettingAreTheDeclaredOnes()
    {
        assertEquals(Setting.TRANSPORT.property().orElseThrow(), Pshmem.TRANSPORT_PROPERTY);
        assertEquals(Setting.TRANSPORT.environmentVariable().orElseThrow(), Pshmem.TRANSPORT_ENV);
    }
}
