package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        "Setting.SHM_DIR.property().orElseThrow()", "pshmem.shmDir",
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
        for (final String module : List.of("pshmem-api", "pshmem-local", "pshmem-shm", "pshmem-mpj", "pshmem-tests"))
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

    /**
     * @return the literal parts of {@code message} (between the {@code …} that stand for values, after a known
     * prefix) that {@code sources} does not contain; empty when the message is printed.
     */
    private static List<String> unprinted(final String message, final String sources)
    {
        final List<String> missing = new ArrayList<>();
        String text = message;
        for (final String prefix : PREFIXES)
        {
            if (text.startsWith(prefix))
            {
                if (!sources.contains(prefix.substring(0, prefix.length() - 1)))
                {
                    missing.add(prefix);
                }
                text = text.substring(prefix.length());
            }
        }
        for (final String part : text.split("…"))
        {
            final String literal = part.strip();
            if (!literal.isEmpty() && !sources.contains(literal))
            {
                missing.add(literal);
            }
        }
        return missing;
    }

    @Test
    void everyQuotedMessageIsInTheSources() throws IOException
    {
        final String sources = sources();
        final List<String> messages = quotedMessages();
        assertTrue(messages.size() >= 6, "expected the troubleshooting messages, found " + messages);
        for (final String message : messages)
        {
            assertEquals(List.of(), unprinted(message, sources), "README quotes '" + message + "', but these parts " +
                "are printed nowhere");
        }
    }

    /** The memory the large-array test needs is given once: the same in README, the class and the script. */
    @Test
    void theLargeTestSizeIsTheSameEverywhere() throws IOException
    {
        final Pattern size = Pattern.compile("about (\\d+(\\.\\d+)?) GiB");
        final List<String> sizes = new ArrayList<>();
        for (final Path file : List.of(ROOT.resolve("README.md"), ROOT.resolve("pshmem"),
            ROOT.resolve("pshmem-tests/src/test/java/org/pshmem/tests/LargeArrayTest.java")))
        {
            final String text = Files.readString(file);
            final int at = text.indexOf(file.endsWith("LargeArrayTest.java") ? "Needs about" : "PSHMEM_TEST_LARGE=1");
            final String around = text.substring(Math.max(0, at - 200), Math.min(text.length(), at + 200));
            final Matcher found = size.matcher(around);
            sizes.add(file.getFileName() + ": " + (found.find() ? found.group(1) : "none"));
        }
        assertEquals(1, sizes.stream().map(s -> s.substring(s.indexOf(": "))).distinct().count(), sizes.toString());
        assertTrue(!sizes.get(0).endsWith("none"), sizes.toString());
    }

    /** The check itself: a quote that is not printed, or a real one with one word changed, is caught. */
    @Test
    void theCheckCatchesAMessageThatIsNotPrinted() throws IOException
    {
        final String sources = sources();
        assertEquals(List.of("the daemon is feeling unwell today"),
            unprinted("pshmem mpj launcher: the daemon is feeling unwell today", sources));
        final String real = quotedMessages().stream().filter(m -> m.startsWith("cannot reserve")).findFirst()
            .orElseThrow(() -> new AssertionError("README no longer quotes the 'cannot reserve' message"));
        assertEquals(List.of(), unprinted(real, sources), real);
        final List<String> changed = unprinted(real.replace("are free there", "are left there"), sources);
        assertEquals(1, changed.size(), "parts reported for a changed word: " + changed);
        assertTrue(changed.get(0).contains("are left there"), changed.toString());
    }
}
