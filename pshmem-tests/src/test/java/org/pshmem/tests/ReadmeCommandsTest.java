package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./pshmem} command line README shows is one the script accepts: each is run as written, its
 * placeholders filled in, with {@code PSHMEM_DRY_RUN=1}, under which the script checks the command line as
 * usual and then prints what it would do instead of installing, building or running (the commands include
 * {@code ./pshmem test} and {@code ./pshmem bench}, far too long to run here). A {@code ./pshmem run} with no
 * class names the command, and is checked with {@code --help}. For {@code run}, the options the script
 * passes on must reach the launcher's command line. The script runs from a copy alone in a temporary folder,
 * so a command that ignored the dry run would fail there (no build, no jars) instead of doing its work.
 */
class ReadmeCommandsTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FENCED = Pattern.compile("```[^\n]*\n(.*?)```", Pattern.DOTALL);
    private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern COMMAND = Pattern.compile("^((?:[A-Z_]+=\\S+\\s+)*)\\./pshmem(\\s.*)?$");
    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\((\\./pshmem[^)]*)\\)");
    private static final Pattern CLASS_NAME = Pattern.compile("^[a-z]\\w*(\\.\\w+)+$");
    private static final List<String> PASSED_ON = List.of("--nodes", "--device", "--timeout", "--shm-dir", "--machines");

    /** @return every {@code ./pshmem} command line in README, as written, in order, each once. */
    static Set<String> commandLines() throws IOException
    {
        String readme = Files.readString(ROOT.resolve("README.md"));
        final Set<String> lines = new LinkedHashSet<>();
        final Matcher fenced = FENCED.matcher(readme);
        while (fenced.find())
        {
            for (final String line : fenced.group(1).split("\n"))
            {
                addCommand(line.replaceAll("\\s+#.*$", ""), lines);
            }
        }
        readme = fenced.replaceAll("");
        final Matcher span = SPAN.matcher(readme);
        while (span.find())
        {
            addCommand(span.group(1).replace("\\|", "|"), lines);
        }
        return lines;
    }

    private static void addCommand(final String code, final Set<String> lines)
    {
        final String text = code.replaceAll("\\s+", " ").trim();
        final Matcher substitution = SUBSTITUTION.matcher(text);
        while (substitution.find())
        {
            lines.add(substitution.group(1).trim());
        }
        final Matcher command = COMMAND.matcher(text);
        if (command.matches() && null != command.group(2))
        {
            lines.add(text); // a bare ./pshmem names the script, not a command line
        }
    }

    /** @return the command line with its placeholders filled in, as words. */
    private static List<String> fill(final String line, final Path dir, final Path machines)
    {
        final List<String> words = new ArrayList<>();
        for (final String raw : line.replace("[", "").replace("]", "").split(" "))
        {
            final String word = raw.contains("|") ? raw.substring(0, raw.indexOf('|')) : raw;
            switch (word)
            {
                case "N", "K" -> words.add("2");
                case "S" -> words.add("60");
                case "DIR" -> words.add(dir.toString());
                case "FILE" -> words.add(machines.toString());
                case "COMMAND" -> words.add("run");
                case "app.jar" -> words.add(dir.resolve("app.jar").toString());
                case "app.Main", "Main" -> words.add("org.pshmem.examples.ReadmeExample");
                case "args...", "..." -> { }
                default -> words.add(word);
            }
        }
        return words;
    }

    /** @return a copy of the script alone in {@code dir}, after checking that it honours the dry run. */
    private static Path sandboxedScript(final Path dir) throws Exception
    {
        final Path script = Files.copy(ROOT.resolve("pshmem"), Files.createDirectories(dir.resolve("sandbox"))
            .resolve("pshmem"));
        final ChildProcess.Result build = dryRun(script, "build");
        assertTrue(build.status() == 0 && build.out().startsWith("pshmem: dry run: "),
            "the script does not honour PSHMEM_DRY_RUN=1: " + build.out() + build.err());
        return script;
    }

    private static ChildProcess.Result dryRun(final Path script, final String... args) throws Exception
    {
        final ProcessBuilder builder = new ProcessBuilder("env", "PSHMEM_DRY_RUN=1", "bash", script.toString());
        builder.command().addAll(List.of(args));
        return ChildProcess.run(builder.directory(script.getParent().toFile()), Duration.ofSeconds(60));
    }

    @Test
    void everyCommandLineInTheReadmeIsAccepted(@TempDir final Path dir) throws Exception
    {
        final Path script = sandboxedScript(dir);
        final Path machines = Files.writeString(dir.resolve("machines"), "localhost\n");
        final Set<String> lines = commandLines();
        assertTrue(lines.size() >= 20, "command lines found in README: " + lines);
        final Set<String> runOptions = documentedOptions(dryRun(script, "run", "--help").out());
        assertTrue(runOptions.containsAll(List.of("-np", "--transport", "--nodes", "--machines", "-cp")), runOptions.toString());
        final Map<String, String> refused = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final List<String> words = fill(line, dir, machines);
            final ProcessBuilder builder = new ProcessBuilder("env", "PSHMEM_DRY_RUN=1");
            while (words.get(0).contains("="))
            {
                builder.command().add(words.remove(0)); // VARIABLE=value before ./pshmem
            }
            builder.command().addAll(List.of("bash", script.toString()));
            words.remove(0); // ./pshmem
            if (words.get(0).equals("run") && words.stream().noneMatch(word -> CLASS_NAME.matcher(word).matches()))
            {
                words.add("--help"); // names the command, with no program to run
            }
            builder.command().addAll(words);
            final ChildProcess.Result result = ChildProcess.run(builder.directory(script.getParent().toFile()),
                Duration.ofSeconds(60));
            if (result.status() != 0 || !result.err().isEmpty())
            {
                refused.put(line, "status " + result.status() + ": " + result.out() + result.err());
                continue;
            }
            if (words.get(0).equals("run"))
            {
                // The launcher checks these when it runs; here, at least, each is one run --help documents.
                for (final String word : words.subList(1, words.size()))
                {
                    if (CLASS_NAME.matcher(word).matches())
                    {
                        break;
                    }
                    if (word.startsWith("-") && !word.equals("--help") && !runOptions.contains(word))
                    {
                        refused.put(line, word + " is no option ./pshmem run --help documents");
                    }
                }
            }
            if (words.get(0).equals("run") && !words.contains("--help"))
            {
                for (int i = 1; i < words.size() - 1; i++)
                {
                    if (PASSED_ON.contains(words.get(i)) &&
                        !result.out().contains(" " + words.get(i) + " " + words.get(i + 1) + " "))
                    {
                        refused.put(line, words.get(i) + " " + words.get(i + 1) + " did not reach the launcher: " +
                            result.out());
                    }
                }
            }
        }
        assertEquals(Map.of(), refused, "README command lines the script refuses (filled in: N=2, K=2, S=60, " +
            "DIR=" + dir + ")");
    }

    /** @return the options a help text names, such as -np and --nodes. */
    private static Set<String> documentedOptions(final String help)
    {
        final Set<String> options = new LinkedHashSet<>();
        final Matcher option = Pattern.compile("(?<![\\w-])(--?[a-z][-a-z]*)").matcher(help);
        while (option.find())
        {
            options.add(option.group(1));
        }
        return options;
    }

    /** The check itself: a command line the script does not accept is reported. */
    @Test
    void aCommandLineTheScriptRefusesIsReported(@TempDir final Path dir) throws Exception
    {
        final ChildProcess.Result result = dryRun(sandboxedScript(dir), "run", "--transport", "carrier-pigeon",
            "org.pshmem.examples.ReadmeExample");
        assertEquals(2, result.status(), result.out() + result.err());
        assertTrue(result.err().contains("--transport must be one of: local mpj mpi; not 'carrier-pigeon'"), result.err());
        assertTrue(commandLines().contains("./pshmem run -np N --transport mpj [--device niodev|multicore] [--nodes K] " +
            "[--timeout S] [--shm-dir DIR] -cp app.jar app.Main args..."), commandLines().toString());
        assertTrue(Arrays.asList("./pshmem test", "PSHMEM_TEST_LARGE=1 ./pshmem test", "./pshmem classpath")
            .stream().allMatch(commandLines()::contains), commandLines().toString());
    }
}
