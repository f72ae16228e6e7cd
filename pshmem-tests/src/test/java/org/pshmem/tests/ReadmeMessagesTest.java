package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every message the README's Troubleshooting section quotes is one the software prints: each literal part of it
 * (the parts between the {@code …} that stand for values) is in the sources of the {@code ./pshmem} script or of
 * a module's main code, with string concatenations joined and the named constants put in.
 */
class ReadmeMessagesTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<String, String> CONSTANTS = Map.of(
        "MpjSession.SHM_DIR_PROPERTY", "pshmem.shmDir",
        "TRANSPORT_PROPERTY", "pshmem.transport",
        "TRANSPORT_ENV", "PSHMEM_TRANSPORT");
    private static final Pattern ADJACENT = Pattern.compile("\"\\s*\\+\\s*\"");
    private static final Pattern JOIN = Pattern.compile("\"\\s*\\+\\s*([^\"]*?)\\s*\\+\\s*\"");
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");
    private static final List<String> PREFIXES = List.of("pshmem: error: ", "pshmem mpj launcher: ");

    private static String sources() throws IOException
    {
        final StringBuilder all = new StringBuilder(Files.readString(ROOT.resolve("pshmem"))
            .replace("$MPJ_VERSION", "0.44"));
        for (final String module : List.of("pshmem-api", "pshmem-local", "pshmem-mpj", "pshmem-tests"))
        {
            final Path main = ROOT.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(main))
            {
                for (final Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList()))
                {
                    final Matcher join = JOIN.matcher(ADJACENT.matcher(Files.readString(file)).replaceAll(""));
                    all.append('\n').append(join.replaceAll(m ->
                        Matcher.quoteReplacement(m.group(1).isEmpty() ? "" : CONSTANTS.getOrDefault(m.group(1), "…"))));
                }
            }
        }
        return all.toString();
    }

    private static List<String> quotedMessages() throws IOException
    {
        final String readme = Files.readString(ROOT.resolve("README.md"));
        final int start = readme.indexOf("\n## Troubleshooting");
        assertTrue(start >= 0, "README has no Troubleshooting section");
        final int end = readme.indexOf("\n## ", start + 1);
        final String section = readme.substring(start, end < 0 ? readme.length() : end);
        final List<String> messages = new ArrayList<>();
        final Matcher quoted = QUOTED.matcher(section);
        while (quoted.find())
        {
            final String text = quoted.group(1);
            // Messages, not commands or names: long quotes that are not a command line.
            if (text.length() >= 40 && !text.startsWith("java ") && !text.startsWith("mount "))
            {
                messages.add(text);
            }
        }
        return messages;
    }

    @Test
    void everyQuotedMessageIsInTheSources() throws IOException
    {
        final String sources = sources();
        final List<String> messages = quotedMessages();
        assertTrue(messages.size() >= 6, "expected the troubleshooting messages, found " + messages);
        for (final String message : messages)
        {
            String text = message;
            for (final String prefix : PREFIXES)
            {
                if (text.startsWith(prefix))
                {
                    assertTrue(sources.contains(prefix.substring(0, prefix.length() - 1)), prefix);
                    text = text.substring(prefix.length());
                }
            }
            for (final String part : text.split("…"))
            {
                final String literal = part.strip();
                if (!literal.isEmpty())
                {
                    assertTrue(sources.contains(literal), "README quotes '" + message + "', but '" + literal +
                        "' is printed nowhere");
                }
            }
        }
    }

    @Test
    void theCheckFailsForAMessageThatIsNotPrinted() throws IOException
    {
        assertTrue(!sources().contains("the daemon is feeling unwell today"));
    }
}
