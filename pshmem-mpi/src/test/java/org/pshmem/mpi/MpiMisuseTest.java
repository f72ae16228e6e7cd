package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pshmem.tests.MisuseJob;
import org.pshmem.tests.MisuseScenarios;

/**
 * Every case of {@link MisuseScenarios}, the battery the mpj transport passes, each in an {@code mpirun} launch of
 * its own: 4 ranks on one node, 4 ranks as 2 simulated nodes of 2, and 3 ranks as 2 simulated nodes (the last one
 * uneven), the nodes named by the node setting. The job must end with a non-zero status, its output holding every
 * text the case expects (the calls and the ranks named), and leave nothing in its segment folder (a fresh one in
 * {@code /dev/shm}). Across the three namespace hosts: {@link MpiMultiHostTest}. The timeout is a safety net
 * against a hang, not a measure of speed.
 */
class MpiMisuseTest
{
    private static final long SAFETY_NET_SECONDS = 180;

    /** Ranks of a layout and the node setting of its ranks (empty: one node). */
    record Layout(int ranks, String nodes)
    {
        @Override
        public String toString()
        {
            return nodes.isEmpty() ? ranks + " ranks on one node" : ranks + " ranks on nodes " + nodes;
        }
    }

    private static final List<Layout> LAYOUTS = List.of(new Layout(4, ""), new Layout(4, "n0,n0,n1,n1"),
        new Layout(3, "n0,n0,n1"));

    static Stream<Arguments> cases()
    {
        return LAYOUTS.stream().flatMap(layout -> MisuseScenarios.all().keySet().stream()
            .map(name -> Arguments.of(name, layout)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void everyRankEndsWithTheCallsNamed(final String name, final Layout layout) throws Exception
    {
        final Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-mpi-misuse-");
        try
        {
            final List<String> jvm = new ArrayList<>(MpiRun.chronicleOptions());
            jvm.add("-Dpshmem.shmDir=" + shm);
            if (!layout.nodes().isEmpty())
            {
                jvm.add("-Dpshmem.node=" + layout.nodes());
            }
            // After MPI_Abort, mpirun sends the ranks SIGTERM, on which a JVM ends, then sleeps this long (1 s by
            // default) before SIGKILL: a second of every launch spent waiting.
            final List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
                Integer.toString(layout.ranks()), "--mca", "odls_base_sigkill_timeout", "0"));
            command.addAll(MpiRun.java(MisuseJob.class, jvm, name));
            final MpiRun.Result result = MpiRun.run(command, SAFETY_NET_SECONDS, "misuse-" + name);
            check(name, layout.ranks(), result.exitCode(), result.output());
            assertEquals(List.of(), MpiRun.entries(shm), "left in the segment folder: " + result.output());
        }
        finally
        {
            MpiRun.removeFolder(shm);
        }
    }

    /** The outcome every misuse launch must have, on any layout: a non-zero status, the case's texts printed. */
    static void check(final String name, final int ranks, final int exitCode, final String output)
    {
        assertTrue(output.contains(MisuseJob.START), output);
        assertNotEquals(0, exitCode, output);
        for (final String expected : MisuseScenarios.all().get(name).expected(ranks))
        {
            assertTrue(output.contains(expected), "expected '" + expected + "' in: " + output);
        }
    }
}
