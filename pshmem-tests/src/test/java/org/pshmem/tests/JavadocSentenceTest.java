package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every public method and constructor of the public modules has a Javadoc that starts with a sentence, not with
 * a tag ({@code @return} alone says what comes back, not what the method does). Doclint does not check this.
 */
class JavadocSentenceTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> SOURCES = List.of("pshmem-api/src/main/java", "pshmem-local/src/main/java",
        "pshmem-mpj/src/main/java");
    /** A Javadoc comment (not running past its end), its annotations, and a public member's head up to '('. */
    private static final Pattern DOC = Pattern.compile(
        "/\\*\\*((?:(?!\\*/).)*?)\\*/\\s*(?:@\\w+\\s*)*(public [^;{=]*?)\\(", Pattern.DOTALL);

    static List<String> tagOnly(final String source)
    {
        final List<String> found = new ArrayList<>();
        final Matcher doc = DOC.matcher(source);
        while (doc.find())
        {
            final String text = doc.group(1).lines().map(line -> line.strip().replaceFirst("^\\*\\s?", "").strip())
                .filter(line -> !line.isEmpty()).collect(Collectors.joining(" "));
            if (text.isEmpty() || text.startsWith("@"))
            {
                found.add(doc.group(2).strip().replaceAll("\\s+", " "));
            }
        }
        return found;
    }

    @Test
    void theCheckFindsAMethodWithOnlyATag()
    {
        assertEquals(List.of("public int size"), tagOnly("/**\n * @return number of ranks.\n */\npublic int size()"));
        assertEquals(List.of(), tagOnly("/**\n * Returns the number of ranks.\n *\n * @return it.\n */\npublic int size()"));
    }

    @Test
    void everyPublicMemberStartsWithASentence() throws IOException
    {
        final List<String> missing = new ArrayList<>();
        for (final String folder : SOURCES)
        {
            final Path root = ROOT.resolve(folder);
            assertTrue(Files.isDirectory(root), root + " is missing");
            try (Stream<Path> files = Files.walk(root))
            {
                for (final Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList())
                {
                    for (final String member : tagOnly(Files.readString(file)))
                    {
                        missing.add(ROOT.relativize(file) + ": " + member);
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "Javadoc that starts with a tag instead of a sentence");
    }
}
