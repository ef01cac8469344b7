/**
 * Common English words the validator draws challenge text from (written for this plugin: everyday
 * words of 2 to 11 letters, no proper names, no duplicates).
 */
export const WORDS: readonly string[] = `
about above across act add after again against age ago agree air all allow almost alone along
already also always among amount animal answer any appear apple area arm army around arrive art
ask away baby back bad bag ball bank base basket bear beat beautiful because become bed before
begin behind believe bell below best better between big bird black blood blue board boat body
bone book border born both bottom box boy branch bread break bridge bright bring broad brother
brown build burn busy buy call camp can capital captain car card care carry case cat catch cause
cell center certain chair chance change character charge chart check chief child choose church
circle city class clean clear climb clock close cloth cloud coast coat cold color column come
common company compare complete condition connect consider contain continue control cook cool copy
corn corner correct cost cotton could count country course cover cow crop cross crowd cry current
cut dance dark day dead deal dear death decide deep degree depend describe desert design detail
develop dictionary differ direct discuss distant divide doctor dog dollar door double down draw
dream dress drink drive drop dry duck during each early earth east easy eat edge effect egg eight
either electric element else end enemy energy engine enough enter equal even evening event ever
every exact example except excite exercise expect experience explain eye face fact fair fall
family famous far farm fast father favor fear feed feel field fight figure fill final find fine
finger finish fire first fish five flat floor flow flower fly follow food foot force forest form
forward four free fresh friend front fruit full game garden gas gather general gentle girl give
glad glass gold good govern grand grass gray great green ground group grow guess guide hair half
hand happen happy hard hat head hear heart heat heavy help high hill history hold hole home hope
horse hot hour house huge human hundred hunt hurry idea imagine inch include indicate industry
insect instant instrument interest invent iron island job join joy jump just keep key kill kind
king kitchen knew know lady lake land language large last late laugh law lead learn leave left leg
length less letter level lie life lift light like line liquid list listen little live locate long
look lost loud love low machine magnet main major make market mass master match material matter
may measure meat meet melody memory metal method middle might mile milk million mind minute miss
modern moment money month moon morning mother motion mountain mouth move music name nation nature
near neck need neighbor never new next night nine noise north nose note nothing notice number
object observe ocean offer office often oil old once one open opposite orange order organ original
other over oxygen page paint pair paper parent part party pass past path pattern pay people
perhaps period person picture piece place plain plan plant play please plural poem point poor
position possible pound power practice prepare present press pretty print problem produce product
proper protect proud provide pull push quart question quick quiet quite race radio rain raise
range reach read ready real reason receive record region remember repeat reply rest result rich
ride right ring rise river road rock roll room root rope rose round rule safe sail salt same sand
save say school science score sea season seat second section see seed select self sell send sense
sentence separate serve settle seven shape share sharp sheet shell shine ship shoe shop shore short
shoulder shout show side sight sign silent silver simple single sister sit six size skill skin sky
sleep slow small smell smile snow soft soil soldier solution solve some song soon sound south space
speak special speech speed spell spend spread spring square stand star start state station stay
steam steel step stick still stone stop store story straight strange stream street stretch string
strong student study subject success sudden sugar suggest summer sun supply support sure surface
surprise swim symbol system table tail take talk tall teach team tell temperature ten term test
thank thick thin thing think third thousand three through throw tiny together tone tool tooth top
total touch toward town track trade train travel tree triangle trip trouble truck true try tube
turn twenty type under unit until upon use usual valley value very view village visit voice vowel
wait walk wall want warm wash watch water wave way wear weather week weight well west wheel where
while white whole wide wife wild win wind window winter wire wish woman wonder wood word work world
write wrong yard year yellow young zero
`
  .split(/\s+/)
  .filter((word) => word !== "");
