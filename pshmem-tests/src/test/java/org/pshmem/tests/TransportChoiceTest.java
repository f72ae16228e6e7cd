package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pshmem.api.Pshmem;
import org.pshmem.api.PshmemException;
import org.pshmem.local.LocalJob;

/**
 * How the transport is chosen: by what is on the class path, by launcher, and by setting.
 */
class TransportChoiceTest
{
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
}
