import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Length } from 'class-validator';
import { NotBlank, Omittable, SafeText } from '@access-ledger/platform';

export class CreateWorkflowDto {
  @ApiProperty({ example: 'Diabetes coaching 2027', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @NotBlank()
  @SafeText()
  name!: string;

  @ApiPropertyOptional({ example: 'Healthy North', maxLength: 200 })
  @Omittable()
  @IsString()
  @Length(1, 200)
  @NotBlank()
  @SafeText()
  project?: string;

  @ApiProperty({ description: 'Whether administrators may assign professionals to enrolled participants later (option 2); editable later.' })
  @IsBoolean()
  allowAppendProfessionals!: boolean;
}
