"""What owners' questions to the Dinas are about: the consultation fields of the province's PLUT-KUMKM in Palangka
Raya, which answers such questions, and the matters the Dinas itself handles. The knowledge base's entries, the
officers' inbox and the inventory of problems all count by these."""

from domain.msgid import N_

# The key each is stored by, and its name as owners and officers read it, in the order they are offered.
TOPICS: dict[str, str] = {
    "kelembagaan": N_("Organisation and cooperatives"),
    "sdm": N_("People and skills"),
    "produksi": N_("Production"),
    "pembiayaan": N_("Finance and loans"),
    "pemasaran": N_("Marketing"),
    "teknologi_informasi": N_("Information technology"),
    "kemitraan": N_("Partnerships"),
    "perizinan": N_("Permits and certificates"),
    "pelatihan": N_("Training"),
    "pengaduan": N_("Complaints"),
    "lainnya": N_("Something else"),
}
