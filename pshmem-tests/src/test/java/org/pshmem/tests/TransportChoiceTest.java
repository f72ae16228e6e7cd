package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.local.LocalJob;

/**
 * How the transport is chosen: by what is on the class path, by launcher, and by setting.
 */
class TransportChoiceTest
{
    /** The launcher variables and the setting a test JVM might have inherited, removed from its children. */
    private static final List<String> INHERITED = List.of("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_SIZE",
        "PMI_RANK", "PMIX_RANK", "PSHMEM_TRANSPORT");

    @AfterEach
    void clearSetting()
    {
        System.clearProperty(Pshmem.TRANSPORT_PROPERTY);
    }

    @Test
    void theInProcessTransportIsFoundOnTheClassPath()
    {
        assertTrue(Pshmem.availableTransports().contains("local"), Pshmem.availableTransports().toString());
    }

    @Test
    void aPlainJvmIsOneRank()
    {
        try (Pshmem pshmem = Pshmem.init(new String[] {"a", "b"}))
        {
            assertEquals("local", pshmem.transportName());
            assertEquals(1, pshmem.world().size());
            assertEquals(0, pshmem.world().rank());
            assertEquals(2, pshmem.args().length);
        }
    }

    @Test
    void askingForAnAbsentTransportListsThePresentOnes()
    {
        System.setProperty(Pshmem.TRANSPORT_PROPERTY, "carrier-pigeon");
        final PshmemException ex = assertThrows(PshmemException.class, () -> Pshmem.init(new String[0]));
        assertTrue(ex.getMessage().contains("transport 'carrier-pigeon'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("present: local"), ex.getMessage());
    }

    @Test
    void theSettingChoosesWhenPresent()
    {
        System.setProperty(Pshmem.TRANSPORT_PROPERTY, "local");
        try (Pshmem pshmem = Pshmem.init(null))
        {
            assertEquals("local", pshmem.transportName());
        }
    }

    @Test
    void ranksOfALocalJobGetTheirOwnRank() throws Exception
    {
        final int[] seen = new int[4];
        LocalJob.runMain(4, new String[] {"x"}, args ->
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                seen[pshmem.world().rank()] = pshmem.world().size();
                assertEquals("x", pshmem.args()[0]);
            }
        });
        assertEquals("[4, 4, 4, 4]", java.util.Arrays.toString(seen));
    }

    @Test
    void aClosedRuntimeRefusesUse()
    {
        final Pshmem pshmem = Pshmem.init(new String[0]);
        pshmem.close();
        pshmem.close();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, pshmem::world);
        assertTrue(ex.getMessage().contains("closed"), ex.getMessage());
    }

    /**
     * A process of a job that mpirun started (Open MPI's variables) without the mpi transport on its class path
     * refuses to run as a job of one rank, and names what to put there; a transport built for a newer Java is
     * named with the Java it needs. One process of mpirun, or the setting, runs as before.
     */
    @Test
    void aProcessOfAnMpiLaunchWithoutTheMpiTransportSaysWhatIsMissing(@TempDir final Path tooNew) throws Exception
    {
        // A provider whose class file is of a Java far ahead (major version 99: Java 55).
        final Path services = Files.createDirectories(tooNew.resolve("META-INF/services"));
        Files.writeString(services.resolve("org.pshmem.spi.Transport"), "org.pshmem.tests.TooNewTransport\n");
        final byte[] bytes;
        try (java.io.InputStream in = getClass().getResourceAsStream("TransportChoiceTest.class"))
        {
            bytes = in.readAllBytes();
        }
        bytes[6] = 0;
        bytes[7] = 99;
        Files.write(Files.createDirectories(tooNew.resolve("org/pshmem/tests")).resolve("TooNewTransport.class"), bytes);

        final ChildProcess.Result two = plainJava(tooNew, Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK",
            "1"));
        assertEquals(1, two.status(), two.err());
        assertTrue(two.err().contains("this process is one of 2 that an MPI launcher started (OMPI_COMM_WORLD_SIZE " +
            "or PMI_SIZE), but no transport on the class path runs under it (present: local; not loaded: " +
            "org.pshmem.tests.TooNewTransport needs Java 55 or later (this is Java " + Runtime.version().feature() +
            ")): put pshmem-mpi on the class path"), two.err());

        final ChildProcess.Result one = plainJava(tooNew, Map.of("OMPI_COMM_WORLD_SIZE", "1"));
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().contains("rank 0 of 1 on local"), one.out());
        final ChildProcess.Result chosen = plainJava(tooNew, Map.of("OMPI_COMM_WORLD_SIZE", "2",
            "PSHMEM_TRANSPORT", "local"));
        assertEquals(0, chosen.status(), chosen.err());
    }

    /** Runs {@link OneRank} in a JVM with pshmem's jars and {@code extra} on the class path and {@code env} set. */
    private static ChildProcess.Result plainJava(final Path extra, final Map<String, String> env) throws Exception
    {
        final String classPath = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> entry.contains("pshmem-") || entry.contains(File.separator + "jffi-"))
            .collect(Collectors.joining(File.pathSeparator)) + File.pathSeparator + extra;
        final ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-cp", classPath, OneRank.class.getName());
        INHERITED.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        return ChildProcess.run(builder, Duration.ofSeconds(60));
    }

    /** Prints {@code rank R of S on T}. */
    public static final class OneRank
    {
        private OneRank()
        {
        }

        public static void main(final String[] args)
        {
            try (Pshmem pshmem = Pshmem.init(args))
            {
                System.out.println("rank " + pshmem.world().rank() + " of " + pshmem.world().size() + " on " +
                    pshmem.transportName());
            }
        }
    }
}
